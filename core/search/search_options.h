#pragma once
// The project's "search" section: the evolutionary search's sizes (AutoMoE's defaults: population
// 125 = 25 parents + 50 mutations + 50 crossovers, mutation probability 0.3, 30 generations), the
// constraints every candidate must meet, the objective(s), how fitness is measured, and where the
// run folder is. Torch-free.
//
// "valid_batches" (default 4): the fitness is the validation loss on this many fixed validation
// batches (the same batches for every candidate, so their sampling noise is shared by all
// candidates and hardly changes the ranking). 4 is the setting the peer measurement used
// (peer_baseline.md items 3/4); AutoMoE itself reads the whole validation set.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace automoe {

class JsonReader;

// A limit on one cost metric, in the metric's unit (ms, FLOPs, params).
struct ConstraintSpec {
  std::string metric;  // predicted_latency | measured_latency | flops | total_params | active_params
  double limit = 0;
};

struct SearchOptions {
  int population = 125;
  int parents = 25;
  int mutations = 50;
  double mutationProb = 0.3;
  int crossovers = 50;
  int generations = 30;
  std::vector<ConstraintSpec> constraints;
  std::string mode = "single";             // "single" (fitness only) or "nsga2" (fitness, cost)
  std::string costObjective = "predicted_latency";  // nsga2: the second objective (minimised)
  int validBatches = 4;                    // fitness: fixed validation batches
  std::string precision = "fp32";          // fitness forward passes: fp32 or bf16 (autocast)
  int maxSampleAttempts = 10000;           // per child: draws before "budget unsatisfiable"
  std::string profile;                     // hardware profile of the latency metrics ("" = first)
  std::string runDir = "runs/search";
  uint64_t seed = 1;

  static const std::vector<std::string>& metricNames();

  // `defaultSeed` (the project's seed) is used when the section names none.
  static SearchOptions fromJson(const JsonReader& r, uint64_t defaultSeed);
  static SearchOptions defaults(uint64_t seed);
  nlohmann::json toJson() const;

  bool multiObjective() const { return mode == "nsga2"; }
  // Every metric the search must compute: the constraints' and, in nsga2 mode, the objective's.
  std::vector<std::string> metricsUsed() const;

  // Resizes to `population` keeping AutoMoE's 1 : 2 : 2 split (at least 2 parents).
  void setPopulation(int population);
  // A quick pipeline run: population 6 (2 + 2 + 2), 2 generations, 1 validation batch.
  void shrinkForTrial();
  // Empty when consistent; otherwise each problem naming the field.
  std::vector<std::string> problems() const;
};

}  // namespace automoe
