#include "search/evolutionary_search.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <set>

#include "search/crowding_distance.h"
#include "search/hypervolume.h"
#include "search/non_dominated_sort.h"
#include "search/search_history.h"
#include "util/config_error.h"

namespace automoe {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Draws that may return a subnet already in the population before a duplicate is accepted.
constexpr int kNoveltyAttempts = 100;

}  // namespace

EvolutionarySearch::EvolutionarySearch(const SearchSpace& space, SearchOptions options, Fitness fitness,
                                       std::vector<Constraint> constraints)
    : m_space(space),
      m_options(std::move(options)),
      m_fitness(std::move(fitness)),
      m_constraints(std::move(constraints)),
      m_ops(space),
      m_rng(m_options.seed) {
  const auto problems = m_options.problems();
  if (!problems.empty()) throw ConfigError("search options: " + problems.front());
  for (const auto& c : m_constraints) addMetric(c.metric);
  m_lowestSeen.assign(m_constraints.size(), std::numeric_limits<double>::infinity());
}

void EvolutionarySearch::addMetric(std::shared_ptr<CostMetric> metric) {
  for (const auto& m : m_metrics)
    if (m->name() == metric->name()) return;
  m_metrics.push_back(std::move(metric));
}

void EvolutionarySearch::setCostObjective(std::shared_ptr<CostMetric> metric) {
  m_cost = metric;
  addMetric(std::move(metric));
}

double EvolutionarySearch::metricValue(const Genes& key, const ArchConfig& arch, CostMetric& metric) {
  auto& values = m_metricCache[key];
  const auto it = values.find(metric.name());
  if (it != values.end()) return it->second;
  const auto t0 = Clock::now();
  const double v = metric.value(arch);
  m_stats.metricSeconds += since(t0);
  values.emplace(metric.name(), v);
  return v;
}

bool EvolutionarySearch::feasible(const Genes& key, const ArchConfig& arch) {
  bool ok = true;
  for (size_t i = 0; i < m_constraints.size() && ok; ++i) {
    ++m_stats.constraintChecks;
    const double v = metricValue(key, arch, *m_constraints[i].metric);
    m_lowestSeen[i] = std::min(m_lowestSeen[i], v);
    ok = v <= m_constraints[i].limit;
  }
  return ok;
}

std::string EvolutionarySearch::unsatisfiedMessage(int attempts) const {
  std::string missed, all;
  for (size_t i = 0; i < m_constraints.size(); ++i) {
    if (!std::isfinite(m_lowestSeen[i])) continue;  // never reached (an earlier one failed)
    const std::string d = m_constraints[i].describe(m_lowestSeen[i]) + " (lowest seen)";
    all += (all.empty() ? "" : "; ") + d;
    if (m_lowestSeen[i] > m_constraints[i].limit) missed += (missed.empty() ? "" : "; ") + d;
  }
  return "budget unsatisfiable: after " + std::to_string(attempts) + " attempts no subnet met: " +
         (missed.empty() ? "all constraints at once (" + all + ")" : missed) +
         " — raise the limit or increase search.max_sample_attempts";
}

EvolutionarySearch::Member EvolutionarySearch::sampleFeasible(const std::function<Member()>& draw,
                                                                const std::map<Genes, int>& taken) {
  std::fill(m_lowestSeen.begin(), m_lowestSeen.end(), std::numeric_limits<double>::infinity());
  std::optional<Member> duplicate;
  for (int attempt = 1; attempt <= m_options.maxSampleAttempts; ++attempt) {
    Member m = draw();
    if (!feasible(m.genes, m_ops.codec().decode(m.genes))) continue;
    if (!taken.count(m.genes)) return m;
    if (!duplicate) duplicate = std::move(m);
    if (attempt >= kNoveltyAttempts) break;
  }
  if (duplicate) return *duplicate;
  throw ConfigError(unsatisfiedMessage(m_options.maxSampleAttempts));
}

int EvolutionarySearch::evaluate(const Member& m, int generation, SearchObserver& observer) {
  const auto found = m_byGenes.find(m.genes);
  if (found != m_byGenes.end()) return found->second;
  const int id = static_cast<int>(m_candidates.size());
  const bool replay = m_history && id < static_cast<int>(m_history->candidates().size());
  SearchCandidate c;
  if (replay) {
    c = m_history->candidates()[id];
    if (c.genes != m.genes)
      throw ConfigError(m_history->path() + ": candidate " + std::to_string(id) +
                        " differs from what this run draws at that point (the fitness or a metric gives other "
                        "values than when it was stored); run with --fresh to start over");
    for (const auto& [k, v] : c.metrics) m_metricCache[c.genes].emplace(k, v);
  } else {
    if (m_stop && m_stop->stopRequested()) throw Stopped{};
    c.id = id;
    c.generation = generation;
    c.origin = m.origin;
    c.parents = m.parents;
    c.genes = m.genes;
    c.arch = m_ops.codec().decode(m.genes);
    const auto t0 = Clock::now();
    c.fitness = m_fitness(c.arch);
    m_stats.fitnessSeconds += since(t0);
    ++m_stats.evaluations;
    for (const auto& metric : m_metrics) c.metrics[metric->name()] = metricValue(c.genes, c.arch, *metric);
    c.feasible = true;
    for (const auto& con : m_constraints) c.feasible = c.feasible && c.metrics[con.metric->name()] <= con.limit;
    if (m_history) m_history->append(c);
  }
  m_byGenes.emplace(c.genes, id);
  m_candidates.push_back(c);
  observer.onCandidate(c, replay);
  return id;
}

Objectives EvolutionarySearch::objectives(int id) const {
  const SearchCandidate& c = m_candidates[id];
  return {c.fitness, m_cost ? c.metric(m_cost->name()) : 0.0};
}

std::vector<int> EvolutionarySearch::selectParents(const std::vector<int>& ids) {
  std::vector<int> distinct(ids);
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  const size_t k = std::min(distinct.size(), static_cast<size_t>(m_options.parents));
  if (!m_options.multiObjective()) {
    std::stable_sort(distinct.begin(), distinct.end(),
                     [&](int a, int b) { return m_candidates[a].fitness < m_candidates[b].fitness; });
    distinct.resize(k);
    return distinct;
  }
  // NSGA-II truncation: by Pareto rank, then by crowding distance (larger first), then by id.
  std::vector<Objectives> pts;
  for (int id : distinct) pts.push_back(objectives(id));
  std::vector<int> rank(distinct.size());
  std::vector<double> crowd(distinct.size());
  const auto fronts = nonDominatedSort(pts);
  for (size_t f = 0; f < fronts.size(); ++f) {
    const auto d = crowdingDistance(pts, fronts[f]);
    for (size_t i = 0; i < fronts[f].size(); ++i) {
      rank[fronts[f][i]] = static_cast<int>(f);
      crowd[fronts[f][i]] = d[i];
    }
  }
  std::vector<size_t> order(distinct.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (rank[a] != rank[b]) return rank[a] < rank[b];
    return crowd[a] > crowd[b];
  });
  std::vector<int> out;
  for (size_t i = 0; i < k; ++i) out.push_back(distinct[order[i]]);
  return out;
}

std::vector<int> EvolutionarySearch::paretoFront() const {
  std::vector<int> ids;
  std::vector<Objectives> pts;
  for (const auto& c : m_candidates)
    if (c.feasible) {
      ids.push_back(c.id);
      pts.push_back(objectives(c.id));
    }
  std::vector<int> front;
  if (ids.empty()) return front;
  const auto fronts = nonDominatedSort(pts);
  for (int i : fronts.front()) front.push_back(ids[i]);
  std::stable_sort(front.begin(), front.end(), [&](int a, int b) { return objectives(a)[1] < objectives(b)[1]; });
  return front;
}

void EvolutionarySearch::fixReference(const std::vector<int>& generation0) {
  double worstFit = -std::numeric_limits<double>::infinity(), worstCost = worstFit;
  for (int id : generation0) {
    worstFit = std::max(worstFit, objectives(id)[0]);
    worstCost = std::max(worstCost, objectives(id)[1]);
  }
  m_reference = {worstFit + 0.1 * std::abs(worstFit), worstCost + 0.1 * std::abs(worstCost)};
  for (const auto& c : m_constraints)
    if (m_cost && c.metric->name() == m_cost->name()) m_reference[1] = std::min(m_reference[1], c.limit);
  m_referenceSet = true;
}

GenerationReport EvolutionarySearch::report(int generation, const std::vector<int>& ids, int evaluatedBefore,
                                            int reused) {
  GenerationReport g;
  g.generation = generation;
  g.population = ids;
  g.multiObjective = m_options.multiObjective();
  for (const auto& c : m_candidates)
    if (c.feasible && (g.bestId < 0 || c.fitness < m_candidates[g.bestId].fitness)) g.bestId = c.id;
  g.bestFitness = m_candidates[g.bestId].fitness;
  g.evaluatedTotal = static_cast<int>(m_candidates.size());
  g.evaluatedNow = g.evaluatedTotal - evaluatedBefore;
  g.reusedNow = reused;
  if (g.multiObjective) {
    if (!m_referenceSet) fixReference(ids);
    g.front = paretoFront();
    std::vector<Objectives> pts;
    for (int id : g.front) pts.push_back(objectives(id));
    g.hypervolume = hypervolume2d(pts, m_reference);
  }
  return g;
}

void EvolutionarySearch::checkSmallestFeasible() {
  const ArchConfig smallest = m_space.smallest();
  const Genes key = m_ops.codec().encode(smallest);
  if (feasible(key, smallest)) return;
  std::string d;
  for (const auto& c : m_constraints) {
    const double v = metricValue(key, smallest, *c.metric);
    if (v > c.limit) d += (d.empty() ? "" : "; ") + c.describe(v);
  }
  throw ConfigError("budget unsatisfiable: even the smallest subnet of the space misses " + d);
}

SearchResult EvolutionarySearch::run(const StopToken& stop, SearchObserver& observer) {
  const auto t0 = Clock::now();
  m_stop = &stop;
  if (m_options.multiObjective() && !m_cost)
    throw ConfigError("search options: objectives.mode \"nsga2\" needs a cost objective metric");
  checkSmallestFeasible();
  SearchResult result;
  result.multiObjective = m_options.multiObjective();
  result.costObjective = m_cost ? m_cost->name() : "";
  std::vector<Member> members;
  std::map<Genes, int> taken;
  try {
    for (int i = 0; i < m_options.population; ++i) {
      Member m = sampleFeasible([&] { return Member{m_ops.sample(m_rng), "random", {}}; }, taken);
      taken.emplace(m.genes, i);
      members.push_back(std::move(m));
    }
    for (int gen = 0; gen < m_options.generations; ++gen) {
      const int before = static_cast<int>(m_candidates.size());
      std::vector<int> ids;
      int reused = 0;
      for (const Member& m : members) {
        reused += m_byGenes.count(m.genes) ? 1 : 0;
        ids.push_back(evaluate(m, gen, observer));
      }
      GenerationReport g = report(gen, ids, before, reused);
      g.replayed = m_history && m_history->hasGeneration(gen);
      if (m_history && !g.replayed) m_history->append(g);
      result.generationsDone = gen + 1;
      observer.onGeneration(g, m_candidates[g.bestId]);
      if (gen + 1 == m_options.generations) break;
      const std::vector<int> parents = selectParents(ids);
      const auto pick = [&]() -> int {  // nsga2: binary tournament (parents are sorted best first)
        const int a = static_cast<int>(m_rng.uniformIndex(parents.size()));
        if (!m_options.multiObjective()) return a;
        return std::min(a, static_cast<int>(m_rng.uniformIndex(parents.size())));
      };
      members.clear();
      taken.clear();
      for (int id : parents) {
        members.push_back({m_candidates[id].genes, "parent", {id}});
        taken.emplace(m_candidates[id].genes, id);
      }
      for (int i = 0; i < m_options.mutations; ++i) {
        Member m = sampleFeasible([&] {
          const int p = parents[pick()];
          return Member{m_ops.mutate(m_candidates[p].genes, m_options.mutationProb, m_rng), "mutation", {p}};
        }, taken);
        taken.emplace(m.genes, -1);
        members.push_back(std::move(m));
      }
      for (int i = 0; i < m_options.crossovers; ++i) {
        Member m = sampleFeasible([&] {
          const int a = pick();
          int b = pick();
          for (int t = 0; t < 8 && b == a && parents.size() > 1; ++t) b = pick();
          const int pa = parents[a], pb = parents[b];
          return Member{m_ops.crossover(m_candidates[pa].genes, m_candidates[pb].genes, m_rng), "crossover", {pa, pb}};
        }, taken);
        taken.emplace(m.genes, -1);
        members.push_back(std::move(m));
      }
    }
  } catch (const Stopped&) {
    result.status = SearchResult::Status::Stopped;
    observer.onMessage("stopped; every evaluated candidate is in the history");
  }
  m_stop = nullptr;
  result.candidates = static_cast<int>(m_candidates.size());
  if (!m_candidates.empty()) {
    int best = -1;
    for (const auto& c : m_candidates)
      if (c.feasible && (best < 0 || c.fitness < m_candidates[best].fitness)) best = c.id;
    result.best = m_candidates[best];
    if (result.multiObjective) {
      for (int id : paretoFront()) result.front.push_back(m_candidates[id]);
      std::vector<Objectives> pts;
      for (const auto& c : result.front) pts.push_back(objectives(c.id));
      result.hypervolumeReference = m_reference;
      result.hypervolume = m_referenceSet ? hypervolume2d(pts, m_reference) : 0;
    } else {
      result.front = {result.best};
    }
  }
  result.evaluations = m_stats.evaluations;
  result.constraintChecks = m_stats.constraintChecks;
  result.fitnessSeconds = m_stats.fitnessSeconds;
  result.metricSeconds = m_stats.metricSeconds;
  result.seconds = since(t0);
  return result;
}

}  // namespace automoe
