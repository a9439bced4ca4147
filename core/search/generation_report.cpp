#include "search/generation_report.h"

#include <nlohmann/json.hpp>

#include "util/json_reader.h"

namespace automoe {

nlohmann::json GenerationReport::toJson() const {
  nlohmann::json j = {{"kind", "generation"},          {"generation", generation},
                      {"best_id", bestId},             {"best_fitness", bestFitness},
                      {"population", population},      {"evaluated_total", evaluatedTotal},
                      {"evaluated_now", evaluatedNow}, {"reused_now", reusedNow}};
  if (multiObjective) {
    j["hypervolume"] = hypervolume;
    j["front"] = front;
  }
  return j;
}

GenerationReport GenerationReport::fromJson(const nlohmann::json& j, const std::string& source) {
  const JsonReader r(j, source);
  GenerationReport g;
  g.generation = static_cast<int>(r.getInt("generation"));
  g.bestId = static_cast<int>(r.getInt("best_id"));
  g.bestFitness = r.getDouble("best_fitness");
  g.population = r.getIntList("population");
  g.evaluatedTotal = static_cast<int>(r.getInt("evaluated_total", 0));
  g.evaluatedNow = static_cast<int>(r.getInt("evaluated_now", 0));
  g.reusedNow = static_cast<int>(r.getInt("reused_now", 0));
  g.multiObjective = r.has("front");
  if (g.multiObjective) {
    g.front = r.getIntList("front");
    g.hypervolume = r.getDouble("hypervolume");
  }
  return g;
}

}  // namespace automoe
