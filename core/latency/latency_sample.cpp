#include "latency/latency_sample.h"

#include <nlohmann/json.hpp>

#include "util/json_reader.h"

namespace automoe {

nlohmann::json LatencySample::toJson() const {
  nlohmann::json f = nlohmann::json::array();  // [[name, value], ...]: keeps the order
  for (const auto& nv : features) f.push_back({nv.name, nv.value});
  return {{"kind", "sample"},        {"index", index},
          {"genes", genes},          {"latency_ms", measurement.meanMs()},
          {"arch", arch.toJson()},   {"features", f},
          {"measurement", measurement.toJson()}};
}

LatencySample LatencySample::fromJson(const nlohmann::json& j, const std::string& source) {
  const JsonReader r(j, source);
  r.rejectUnknownKeys({"kind", "index", "genes", "latency_ms", "arch", "features", "measurement"});
  if (r.getString("kind") != "sample") r.fail("kind", "expected \"sample\"");
  LatencySample s;
  s.index = static_cast<int>(r.getInt("index"));
  s.genes = r.getIntList("genes");
  s.arch = ArchConfig::fromJson(r.raw("arch"), source + " (arch)");
  // A list of [name, value] pairs (the order as written), or an object {name: value}.
  const nlohmann::json& f = r.raw("features");
  if (f.is_object()) {
    for (auto it = f.begin(); it != f.end(); ++it) {
      if (!it.value().is_number()) r.fail("features." + it.key(), "expected a number");
      s.features.push_back({it.key(), it.value().get<double>()});
    }
  } else if (f.is_array()) {
    for (const auto& nv : f) {
      if (!nv.is_array() || nv.size() != 2 || !nv[0].is_string() || !nv[1].is_number())
        r.fail("features", "expected [name, value] pairs, got " + describeJson(nv));
      s.features.push_back({nv[0].get<std::string>(), nv[1].get<double>()});
    }
  } else {
    r.fail("features", "expected a list of [name, value] pairs");
  }
  s.measurement = LatencyMeasurement::fromJson(r.raw("measurement"), source + " (measurement)");
  return s;
}

}  // namespace automoe
