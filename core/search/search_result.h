#pragma once
// What an evolutionary search returns, and result.json (/work/helper_contract.md).
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "search/non_dominated_sort.h"
#include "search/search_candidate.h"

namespace automoe {

struct SearchResult {
  enum class Status { Finished, Stopped };
  Status status = Status::Finished;
  int generationsDone = 0;              // complete generations (replayed ones included)
  SearchCandidate best;                 // lowest fitness of every candidate evaluated
  std::vector<SearchCandidate> front;   // nsga2: Pareto front (fitness, cost) by cost; single: {best}
  bool multiObjective = false;
  std::string costObjective;            // nsga2: the second objective's metric
  Objectives hypervolumeReference{};    // nsga2
  double hypervolume = 0;               // nsga2: of `front`
  int candidates = 0;                   // distinct subnets with a fitness (replayed included)
  int evaluations = 0;                  // fitness evaluations this run (replayed ones excluded)
  long long constraintChecks = 0;       // metric look-ups while sampling (cached ones included)
  double seconds = 0;                   // wall time of run()
  double fitnessSeconds = 0;            // of which inside the fitness function
  double metricSeconds = 0;             // of which computing cost metrics (first time per subnet)

  // result.json: best_id, front ids, arch, fitness, metrics, seed, provenance and the run summary.
  nlohmann::json toJson(uint64_t seed, const nlohmann::json& provenance) const;
};

}  // namespace automoe
