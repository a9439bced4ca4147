#pragma once
// The summary of one generation of an evolutionary search (a "generation" line of history.jsonl).
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace automoe {

struct GenerationReport {
  int generation = 0;
  int bestId = -1;             // lowest fitness among every feasible candidate evaluated so far
  double bestFitness = 0;
  std::vector<int> population; // ids of this generation's members (duplicates possible)
  std::vector<int> front;      // nsga2: Pareto front of everything evaluated so far, by cost
  double hypervolume = 0;      // nsga2: of `front`, against the search's reference point
  int evaluatedTotal = 0;      // distinct subnets evaluated so far (fitness computed once each)
  int evaluatedNow = 0;        // of which in this generation
  int reusedNow = 0;           // members served from the fitness cache in this generation
  bool replayed = false;       // read back from the history (resume), nothing evaluated
  bool multiObjective = false;

  nlohmann::json toJson() const;  // the history line, "kind": "generation"
  static GenerationReport fromJson(const nlohmann::json& j, const std::string& source);
};

}  // namespace automoe
