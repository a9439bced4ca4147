#pragma once
// AutoMoE's evolutionary search (spec §7.2) with the reference's bugs fixed (§13: every subnet's
// fitness is computed once and cached by its canonical gene vector; FLOPs limits are in FLOPs),
// plus an NSGA-II mode that trades fitness against a cost metric and returns the Pareto front.
//
// Generation 0 is a random population; every member is drawn again until it meets every
// constraint. Then, per generation: evaluate the members (cache first), keep the best `parents`
// (single: lowest fitness; nsga2: Pareto rank, then crowding distance), and build the next
// population = parents + `mutations` mutants of a parent + `crossovers` children of two parents,
// each child redrawn until it meets the constraints (at most max_sample_attempts draws, then
// ConfigError "budget unsatisfiable: ..."). The search starts by checking that the space's
// smallest subnet meets the constraints. The last generation's members are all evaluated; no
// unevaluated children are left over (the reference drops its last offspring unscored).
//
// The fitness function and the constraint/cost metrics are parameters; the search never knows how
// they are computed. Deterministic given options.seed (and deterministic metrics and fitness).
// With a SearchHistory, stored candidates are replayed instead of evaluated: the run repeats the
// original draws and, wherever it meets a stored subnet, takes its stored fitness and metrics.
//
// NSGA-II's hypervolume (of the Pareto front of all candidates so far) uses a reference point
// fixed after generation 0: fitness = 1.1 x the worst fitness of generation 0; cost = the limit of
// a constraint on the cost metric when there is one, else 1.1 x the worst cost of generation 0.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "search/constraint.h"
#include "search/gene_operators.h"
#include "search/search_observer.h"
#include "search/search_options.h"
#include "search/search_result.h"
#include "util/rng.h"
#include "util/stop_token.h"

namespace automoe {

class SearchHistory;

class EvolutionarySearch {
 public:
  using Fitness = std::function<double(const ArchConfig&)>;  // lower is better

  // ConfigError if the options are inconsistent.
  EvolutionarySearch(const SearchSpace& space, SearchOptions options, Fitness fitness,
                     std::vector<Constraint> constraints);

  // Extra metrics recorded for every candidate (constraint metrics are recorded anyway).
  void addMetric(std::shared_ptr<CostMetric> metric);
  // The second objective of nsga2 mode (required there; recorded as a metric).
  void setCostObjective(std::shared_ptr<CostMetric> metric);
  // Replays the candidates stored in `history` and appends new ones to it (it must outlive run()).
  void setHistory(SearchHistory* history) { m_history = history; }

  // ConfigError "budget unsatisfiable: ..." when the space's smallest subnet misses a constraint
  // (run() checks this first; callers may check before creating files).
  void checkSmallestFeasible();
  // Throws ConfigError when the constraints cannot be met (or a resumed history diverges).
  SearchResult run(const StopToken& stop, SearchObserver& observer);

 private:
  using Genes = std::vector<int>;
  struct Member {
    Genes genes;
    std::string origin;
    std::vector<int> parents;
  };
  struct Stopped {};

  double metricValue(const Genes& key, const ArchConfig& arch, CostMetric& metric);
  bool feasible(const Genes& key, const ArchConfig& arch);
  std::string unsatisfiedMessage(int attempts) const;
  // Draws with `draw` until a feasible child (preferably not already in `taken`) turns up.
  Member sampleFeasible(const std::function<Member()>& draw, const std::map<Genes, int>& taken);
  int evaluate(const Member& m, int generation, SearchObserver& observer);
  std::vector<int> selectParents(const std::vector<int>& ids);
  GenerationReport report(int generation, const std::vector<int>& ids, int evaluatedBefore, int reused);
  std::vector<int> paretoFront() const;
  Objectives objectives(int id) const;
  void fixReference(const std::vector<int>& generation0);

  SearchSpace m_space;
  SearchOptions m_options;
  Fitness m_fitness;
  std::vector<Constraint> m_constraints;
  std::vector<std::shared_ptr<CostMetric>> m_metrics;  // every metric recorded, by distinct name
  std::shared_ptr<CostMetric> m_cost;
  GeneOperators m_ops;
  Rng m_rng;
  SearchHistory* m_history = nullptr;
  const StopToken* m_stop = nullptr;

  std::vector<SearchCandidate> m_candidates;  // by id
  std::map<Genes, int> m_byGenes;             // canonical genes -> id
  std::map<Genes, std::map<std::string, double>> m_metricCache;
  std::vector<double> m_lowestSeen;           // per constraint, over the draws of the current child
  Objectives m_reference{};
  bool m_referenceSet = false;
  SearchResult m_stats;
};

}  // namespace automoe
