// automoe search PROJECT: evolutionary search over the project's space with inherited supernet
// weights as fitness (validation loss), constraints and objectives from the "search" section.
#include <cstdio>
#include <filesystem>
#include <memory>

#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>

#include "arg_parser.h"
#include "cli_app.h"
#include "commands.h"
#include "latency/provenance.h"
#include "model/model_shape.h"
#include "model/super_transformer.h"
#include "project/project.h"
#include "search/cost_metric_factory.h"
#include "search/evolutionary_search.h"
#include "search/inherited_fitness.h"
#include "search/search_history.h"
#include "util/stop_signal_scope.h"
#include "train/checkpoint.h"
#include "train/training_data_factory.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/cpu_bf16.h"
#include "util/json_reader.h"

#include "time_left.h"

namespace automoe::cli {

namespace {

class ConsoleSearchObserver final : public SearchObserver {
 public:
  explicit ConsoleSearchObserver(int generations) : m_generations(generations) {}
  void onGeneration(const GenerationReport& g, const SearchCandidate& best) override {
    std::fprintf(stderr, "generation %d/%d%s  best #%d loss %.4f  %d evaluated (%d new, %d cached)", g.generation + 1,
                 m_generations, g.replayed ? " (from history)" : "", g.bestId, g.bestFitness, g.evaluatedTotal,
                 g.evaluatedNow, g.reusedNow);
    if (g.multiObjective) std::fprintf(stderr, "  front %zu  hypervolume %.4g", g.front.size(), g.hypervolume);
    if (!g.replayed)  // at the pace of the generations evaluated in this process
      std::fprintf(stderr, "  %s left", m_timeLeft.after(++m_evaluated, m_generations - g.generation - 1).c_str());
    std::fprintf(stderr, "\n  best: %s\n", best.arch.summary().c_str());
  }
  void onMessage(const std::string& text) override { std::fprintf(stderr, "%s\n", text.c_str()); }

 private:
  TimeLeft m_timeLeft;
  int m_evaluated = 0;  // generations evaluated (not replayed from the history) so far
  int m_generations;
};

std::string metricsLine(const SearchCandidate& c) {
  std::string s;
  char buf[96];
  for (const auto& [k, v] : c.metrics) {
    std::snprintf(buf, sizeof buf, "%s%s %.4g", s.empty() ? "" : ", ", k.c_str(), v);
    s += buf;
  }
  return s;
}

}  // namespace

int search(const Args& args) {
  ArgParser ap(args, {"generations", "population", "threads"}, {"fresh", "trial", "json", "synthetic"});
  ap.expectPositional({"PROJECT"});
  const Project project = Project::load(ap.positional()[0]);
  SearchOptions options = project.search;
  if (ap.has("trial")) options.shrinkForTrial();
  if (ap.has("population")) options.setPopulation(static_cast<int>(ap.intValue("population", 0, 3, 1000000)));
  if (ap.has("generations")) options.generations = static_cast<int>(ap.intValue("generations", 0, 1, 1000000));
  if (ap.has("threads")) at::set_num_threads(static_cast<int>(ap.intValue("threads", 0, 1, 1024)));
  else if (project.training.threads > 0) at::set_num_threads(project.training.threads);

  // The trained supernet.
  const std::string ckpt = project.resolvePath(project.training.runDir) + "/checkpoint_last.pt";
  if (!std::filesystem::exists(ckpt))
    throw ConfigError(ckpt + ": no trained supernet checkpoint; run 'automoe train " + project.path + "' first");
  SuperTransformer model(
      SuperTransformerOptions(ModelShape::forSupernet(project.space, project.model), project.model));
  const nlohmann::json meta = Checkpoint::load(ckpt, *model, nullptr);
  if (valueOr(meta, "search_space", nlohmann::json()) != project.space.toJson())
    throw ConfigError(ckpt + ": field 'search_space': the supernet was trained on another search space than the "
                             "project's; train it again");

  // Fitness, constraints and recorded metrics.
  const auto data = makeTrainingData(project, ap.has("synthetic"));
  InheritedFitnessOptions fo;
  fo.validBatches = options.validBatches;
  fo.bf16 = options.precision == "bf16";
  if (fo.bf16) {
    const std::string w = cpuBf16Note("search.precision", cpuBf16Support());
    if (!w.empty()) std::fprintf(stderr, "%s\n", w.c_str());
  }
  auto fitness = std::make_shared<InheritedFitness>(model, *data, fo);
  CostMetricFactory metrics(project);
  std::vector<Constraint> constraints;
  for (const auto& c : options.constraints) constraints.push_back({metrics.make(c.metric), c.limit});
  EvolutionarySearch search(project.space, options, [fitness](const ArchConfig& a) { return (*fitness)(a); },
                            constraints);
  for (const char* m : {"flops", "total_params", "active_params"}) search.addMetric(metrics.make(m));
  if (metrics.predictorAvailable()) search.addMetric(metrics.make("predicted_latency"));
  if (options.multiObjective()) search.setCostObjective(metrics.make(options.costObjective));
  search.checkSmallestFeasible();

  // History (resumable) and provenance.
  nlohmann::json prov = provenance();
  prov["seed"] = options.seed;
  prov["threads"] = at::get_num_threads();
  const nlohmann::json fitnessInfo = {{"kind", "inherited_validation_loss"},
                                      {"checkpoint", project.training.runDir + "/checkpoint_last.pt"},
                                      {"checkpoint_step", valueOr(meta, "step", int64_t{0})},
                                      {"data", ap.has("synthetic") ? "synthetic" : "corpus"},
                                      {"valid_batches", fitness->batches()},
                                      {"target_tokens", fitness->targetTokens()},
                                      {"label_smoothing", 0.0},
                                      {"profile", metrics.profile().toJson()}};
  const std::string runDir = project.resolvePath(options.runDir);
  const std::string historyPath = runDir + "/history.jsonl";
  SearchHistory history = SearchHistory::open(
      historyPath,
      SearchHistory::makeHeader(options.seed, prov, options.toJson(), project.space.toJson(), fitnessInfo),
      ap.has("fresh"));
  if (history.droppedTruncatedLine())
    std::fprintf(stderr, "%s: dropped an incomplete last line (interrupted write)\n", historyPath.c_str());
  if (!history.candidates().empty())
    std::fprintf(stderr, "resuming %s: %zu candidates and %zu generations stored\n", historyPath.c_str(),
                 history.candidates().size(), history.generations().size());
  search.setHistory(&history);
  std::fprintf(stderr, "search: %d generations x %d (%d parents, %d mutations, %d crossovers), %s, fitness on %zu "
                       "validation batches (%lld target tokens), %d constraint(s)\n",
               options.generations, options.population, options.parents, options.mutations, options.crossovers,
               options.multiObjective() ? ("nsga2 with " + options.costObjective).c_str() : "single objective",
               fitness->batches(), static_cast<long long>(fitness->targetTokens()),
               static_cast<int>(constraints.size()));

  StopToken stop;
  StopSignalScope signals(stop);
  ConsoleSearchObserver observer(options.generations);
  const SearchResult r = search.run(stop, observer);
  const nlohmann::json result = r.toJson(options.seed, prov);
  if (r.status == SearchResult::Status::Stopped) {
    std::fprintf(stderr, "automoe: stopped; %s keeps every evaluated candidate, run again to resume\n",
                 historyPath.c_str());
    return kExitInterrupted;
  }
  writeFileAtomically(runDir + "/result.json", result.dump(2) + "\n");
  if (ap.has("json")) {
    std::printf("%s\n", result.dump(2).c_str());
    return kExitOk;
  }
  std::printf("best candidate #%d  loss %.4f nats/token  (generation %d, %s)\n", r.best.id, r.best.fitness,
              r.best.generation, r.best.origin.c_str());
  std::printf("  arch     %s\n  metrics  %s\n", r.best.arch.summary().c_str(), metricsLine(r.best).c_str());
  if (r.multiObjective) {
    std::printf("Pareto front (loss vs %s), %zu candidates, hypervolume %.4g (reference %.4g, %.4g):\n",
                r.costObjective.c_str(), r.front.size(), r.hypervolume, r.hypervolumeReference[0],
                r.hypervolumeReference[1]);
    for (const auto& c : r.front)
      std::printf("  #%-5d loss %.4f  %s %.4g  %s\n", c.id, c.fitness, r.costObjective.c_str(),
                  c.metric(r.costObjective), c.arch.summary().c_str());
  }
  std::printf("%d candidates (%d evaluated now) in %.1f s (%.1f s fitness)\nhistory %s\nresult  %s/result.json\n",
              r.candidates, r.evaluations, r.seconds, r.fitnessSeconds, historyPath.c_str(), runDir.c_str());
  return kExitOk;
}

}  // namespace automoe::cli
