#pragma once
// One evaluated subnet of a search, as stored in history.jsonl (see /work/helper_contract.md):
// id (0-based in evaluation order), the generation and operator that produced it, its parents'
// ids, the architecture and canonical gene vector, the fitness (validation loss, nats per target
// token; lower is better) and every cost metric the search computed for it.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "arch/arch_config.h"

namespace automoe {

struct SearchCandidate {
  int id = -1;
  int generation = 0;
  std::string origin = "random";  // random | mutation | crossover
  std::vector<int> parents;
  ArchConfig arch;
  std::vector<int> genes;
  double fitness = 0;
  std::map<std::string, double> metrics;  // metric name -> value in its unit
  bool feasible = true;

  double metric(const std::string& name) const;  // throws std::out_of_range naming the metric
  nlohmann::json toJson() const;                 // with "kind": "candidate"
  static SearchCandidate fromJson(const nlohmann::json& j, const std::string& source);
};

}  // namespace automoe
