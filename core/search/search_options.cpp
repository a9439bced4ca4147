#include "search/search_options.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "util/config_error.h"
#include "util/json_reader.h"

namespace automoe {

const std::vector<std::string>& SearchOptions::metricNames() {
  static const std::vector<std::string> kNames = {"predicted_latency", "measured_latency", "flops",
                                                  "total_params", "active_params"};
  return kNames;
}

SearchOptions SearchOptions::defaults(uint64_t seed) {
  SearchOptions o;
  o.seed = seed;
  return o;
}

namespace {

bool knownMetric(const std::string& m) {
  const auto& n = SearchOptions::metricNames();
  return std::find(n.begin(), n.end(), m) != n.end();
}

std::string metricList() {
  std::string s;
  for (const auto& n : SearchOptions::metricNames()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

int boundedInt(const JsonReader& r, const char* key, int fallback, int lo, int hi) {
  const int64_t v = r.getInt(key, fallback);
  if (v < lo || v > hi)
    r.fail(key, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + std::to_string(v));
  return static_cast<int>(v);
}

}  // namespace

SearchOptions SearchOptions::fromJson(const JsonReader& r, uint64_t defaultSeed) {
  r.rejectUnknownKeys({"population", "parents", "mutations", "mutation_prob", "crossovers",
                       "generations", "constraints", "objectives", "valid_batches", "precision",
                       "max_sample_attempts", "profile", "run_dir", "seed"});
  SearchOptions o = defaults(defaultSeed);
  o.population = boundedInt(r, "population", o.population, 2, 1000000);
  o.parents = boundedInt(r, "parents", o.parents, 1, 1000000);
  o.mutations = boundedInt(r, "mutations", o.mutations, 0, 1000000);
  o.crossovers = boundedInt(r, "crossovers", o.crossovers, 0, 1000000);
  o.generations = boundedInt(r, "generations", o.generations, 1, 1000000);
  o.validBatches = boundedInt(r, "valid_batches", o.validBatches, 1, 1000000);
  o.maxSampleAttempts = boundedInt(r, "max_sample_attempts", o.maxSampleAttempts, 1, 1000000000);
  o.mutationProb = r.getDouble("mutation_prob", o.mutationProb);
  if (!(o.mutationProb >= 0 && o.mutationProb <= 1)) r.fail("mutation_prob", "must be in [0, 1]");
  o.precision = r.getString("precision", o.precision);
  if (o.precision != "fp32" && o.precision != "bf16") r.fail("precision", "expected \"fp32\" or \"bf16\"");
  o.profile = r.getString("profile", o.profile);
  o.runDir = r.getString("run_dir", o.runDir);
  if (o.runDir.empty()) r.fail("run_dir", "must not be empty");
  const int64_t seed = r.getInt("seed", static_cast<int64_t>(defaultSeed));
  if (seed < 0) r.fail("seed", "must be >= 0");
  o.seed = static_cast<uint64_t>(seed);
  if (r.has("constraints")) {
    const auto& raw = r.raw("constraints");
    if (!raw.is_array()) r.fail("constraints", "expected a list of {\"metric\", \"limit\"}, got " + describeJson(raw));
    const JsonReader list(raw, r.source(), r.fieldPath("constraints"));
    for (size_t i = 0; i < list.arraySize(); ++i) {
      const JsonReader c = list.element(i);
      c.rejectUnknownKeys({"metric", "limit"});
      ConstraintSpec s{c.getString("metric"), c.getDouble("limit")};
      if (!knownMetric(s.metric)) c.fail("metric", "unknown metric \"" + s.metric + "\" (one of " + metricList() + ")");
      if (!(s.limit > 0)) c.fail("limit", "must be > 0 (in the metric's unit: ms, FLOPs or params)");
      o.constraints.push_back(s);
    }
  }
  if (r.has("objectives")) {
    const JsonReader obj = r.child("objectives");
    obj.rejectUnknownKeys({"mode", "cost"});
    o.mode = obj.getString("mode", o.mode);
    if (o.mode != "single" && o.mode != "nsga2") obj.fail("mode", "expected \"single\" or \"nsga2\"");
    o.costObjective = obj.getString("cost", o.costObjective);
    if (!knownMetric(o.costObjective))
      obj.fail("cost", "unknown metric \"" + o.costObjective + "\" (one of " + metricList() + ")");
  }
  const auto p = o.problems();
  if (!p.empty()) r.failHere(p.front());
  return o;
}

nlohmann::json SearchOptions::toJson() const {
  nlohmann::json cs = nlohmann::json::array();
  for (const auto& c : constraints) cs.push_back({{"metric", c.metric}, {"limit", c.limit}});
  return {{"population", population},
          {"parents", parents},
          {"mutations", mutations},
          {"mutation_prob", mutationProb},
          {"crossovers", crossovers},
          {"generations", generations},
          {"constraints", cs},
          {"objectives", {{"mode", mode}, {"cost", costObjective}}},
          {"valid_batches", validBatches},
          {"precision", precision},
          {"max_sample_attempts", maxSampleAttempts},
          {"profile", profile},
          {"run_dir", runDir},
          {"seed", seed}};
}

std::vector<std::string> SearchOptions::metricsUsed() const {
  std::vector<std::string> out;
  for (const auto& c : constraints)
    if (std::find(out.begin(), out.end(), c.metric) == out.end()) out.push_back(c.metric);
  if (multiObjective() && std::find(out.begin(), out.end(), costObjective) == out.end())
    out.push_back(costObjective);
  return out;
}

void SearchOptions::setPopulation(int n) {
  population = std::max(n, 3);
  parents = std::max(2, (population + 2) / 5);
  const int rest = population - parents;
  mutations = rest / 2;
  crossovers = rest - mutations;
}

void SearchOptions::shrinkForTrial() {
  setPopulation(6);
  generations = std::min(generations, 2);
  validBatches = 1;
}

std::vector<std::string> SearchOptions::problems() const {
  std::vector<std::string> p;
  if (population != parents + mutations + crossovers)
    p.push_back("population (" + std::to_string(population) + ") must equal parents + mutations + crossovers (" +
                std::to_string(parents + mutations + crossovers) + ")");
  if (parents > population) p.push_back("parents must not exceed the population");
  if (crossovers > 0 && parents < 2) p.push_back("crossovers need at least 2 parents");
  return p;
}

}  // namespace automoe
