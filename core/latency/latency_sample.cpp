#include "latency/latency_sample.h"

#include <nlohmann/json.hpp>

#include "util/json_reader.h"

namespace automoe {

nlohmann::json LatencySample::toJson() const {
  nlohmann::json f = nlohmann::json::object();
  for (const auto& nv : features) f[nv.name] = nv.value;
  return {{"kind", "sample"},        {"index", index},
          {"genes", genes},          {"latency_ms", measurement.meanMs()},
          {"arch", arch.toJson()},   {"features", f},
          {"measurement", measurement.toJson()}};
}

LatencySample LatencySample::fromJson(const nlohmann::json& j,
                                      const std::vector<std::string>& featureNames,
                                      const std::string& source) {
  const JsonReader r(j, source);
  r.rejectUnknownKeys({"kind", "index", "genes", "latency_ms", "arch", "features", "measurement"});
  if (r.getString("kind") != "sample") r.fail("kind", "expected \"sample\"");
  LatencySample s;
  s.index = static_cast<int>(r.getInt("index"));
  s.genes = r.getIntList("genes");
  s.arch = ArchConfig::fromJson(r.raw("arch"), source + " (arch)");
  const JsonReader f = r.child("features");
  for (const auto& name : featureNames) s.features.push_back({name, f.getDouble(name)});
  s.measurement = LatencyMeasurement::fromJson(r.raw("measurement"), source + " (measurement)");
  return s;
}

}  // namespace automoe
