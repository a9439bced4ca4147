#include "search/search_result.h"

#include <nlohmann/json.hpp>

namespace automoe {

nlohmann::json SearchResult::toJson(uint64_t seed, const nlohmann::json& provenance) const {
  nlohmann::json ids = nlohmann::json::array(), frontJson = nlohmann::json::array();
  for (const auto& c : front) {
    ids.push_back(c.id);
    frontJson.push_back({{"id", c.id}, {"fitness", c.fitness}, {"metrics", c.toJson()["metrics"]},
                         {"arch", c.arch.toJson()}});
  }
  nlohmann::json j = {{"status", status == Status::Finished ? "finished" : "stopped"},
                      {"best_id", best.id},
                      {"front", ids},
                      {"arch", best.arch.toJson()},
                      {"genes", best.genes},
                      {"fitness", best.fitness},
                      {"metrics", best.toJson()["metrics"]},
                      {"generations_done", generationsDone},
                      {"candidates", candidates},
                      {"seed", seed},
                      {"provenance", provenance}};
  if (multiObjective) {
    j["front_candidates"] = frontJson;
    j["cost_objective"] = costObjective;
    j["hypervolume"] = hypervolume;
    j["hypervolume_reference"] = {hypervolumeReference[0], hypervolumeReference[1]};
  }
  return j;
}

}  // namespace automoe
