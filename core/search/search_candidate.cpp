#include "search/search_candidate.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "util/json_reader.h"

namespace automoe {

double SearchCandidate::metric(const std::string& name) const {
  const auto it = metrics.find(name);
  if (it == metrics.end())
    throw std::out_of_range("candidate " + std::to_string(id) + " has no metric \"" + name + "\"");
  return it->second;
}

nlohmann::json SearchCandidate::toJson() const {
  nlohmann::json m = nlohmann::json::object();
  for (const auto& [k, v] : metrics) m[k] = v;
  return {{"kind", "candidate"}, {"id", id},           {"generation", generation},
          {"origin", origin},    {"parents", parents}, {"arch", arch.toJson()},
          {"genes", genes},      {"fitness", fitness}, {"metrics", m},
          {"feasible", feasible}};
}

SearchCandidate SearchCandidate::fromJson(const nlohmann::json& j, const std::string& source) {
  const JsonReader r(j, source);
  SearchCandidate c;
  c.id = static_cast<int>(r.getInt("id"));
  c.generation = static_cast<int>(r.getInt("generation"));
  c.origin = r.getString("origin");
  c.parents = r.getIntList("parents");
  c.arch = ArchConfig::fromJson(r.raw("arch"), source);
  c.genes = r.getIntList("genes");
  c.fitness = r.getDouble("fitness");
  const JsonReader m = r.child("metrics");
  for (const auto& [k, v] : m.value().items()) c.metrics[k] = m.getDouble(k);
  c.feasible = r.getBool("feasible", true);
  return c;
}

}  // namespace automoe
