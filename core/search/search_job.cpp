#include "search/search_job.h"

#include <cstdio>
#include <filesystem>
#include <memory>

#include <ATen/Parallel.h>

#include "latency/provenance.h"
#include "model/model_shape.h"
#include "model/super_transformer.h"
#include "search/cost_metric_factory.h"
#include "search/evolutionary_search.h"
#include "search/inherited_fitness.h"
#include "search/search_history.h"
#include "train/checkpoint.h"
#include "train/training_data_factory.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/cpu_bf16.h"
#include "util/json_reader.h"

namespace automoe {

SearchOptions searchOptionsFor(const Project& project, const SearchJob& job) {
  SearchOptions options = project.search;
  if (job.trial) options.shrinkForTrial();
  if (job.population > 0) options.setPopulation(job.population);
  if (job.generations > 0) options.generations = job.generations;
  return options;
}

SearchJobResult runSearchJob(const Project& project, const SearchJob& job, const StopToken& stop,
                             SearchObserver& observer) {
  const SearchOptions options = searchOptionsFor(project, job);
  if (job.threads > 0) at::set_num_threads(job.threads);
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
  const auto data = makeTrainingData(project, job.synthetic);
  InheritedFitnessOptions fo;
  fo.validBatches = options.validBatches;
  fo.bf16 = options.precision == "bf16";
  if (fo.bf16) {
    const std::string w = cpuBf16Note("search.precision", cpuBf16Support());
    if (!w.empty()) observer.onMessage(w);
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
                                      {"data", job.synthetic ? "synthetic" : "corpus"},
                                      {"valid_batches", fitness->batches()},
                                      {"target_tokens", fitness->targetTokens()},
                                      {"label_smoothing", 0.0},
                                      {"profile", metrics.profile().toJson()}};
  const std::string runDir = project.resolvePath(options.runDir);
  SearchJobResult out;
  out.historyPath = runDir + "/history.jsonl";
  out.resultPath = runDir + "/result.json";
  SearchHistory history = SearchHistory::open(
      out.historyPath,
      SearchHistory::makeHeader(options.seed, prov, options.toJson(), project.space.toJson(), fitnessInfo), job.fresh);
  if (history.droppedTruncatedLine())
    observer.onMessage(out.historyPath + ": dropped an incomplete last line (interrupted write)");
  if (!history.candidates().empty())
    observer.onMessage("resuming " + out.historyPath + ": " + std::to_string(history.candidates().size()) +
                       " candidates and " + std::to_string(history.generations().size()) + " generations stored");
  search.setHistory(&history);
  char plan[512];
  std::snprintf(plan, sizeof plan,
                "search: %d generations x %d (%d parents, %d mutations, %d crossovers), %s, fitness on %zu validation "
                "batches (%lld target tokens), %d constraint(s)",
                options.generations, options.population, options.parents, options.mutations, options.crossovers,
                options.multiObjective() ? ("nsga2 with " + options.costObjective).c_str() : "single objective",
                fitness->batches(), static_cast<long long>(fitness->targetTokens()),
                static_cast<int>(constraints.size()));
  observer.onMessage(plan);

  out.search = search.run(stop, observer);
  out.resultJson = out.search.toJson(options.seed, prov);
  if (out.search.status == SearchResult::Status::Finished)
    writeFileAtomically(out.resultPath, out.resultJson.dump(2) + "\n");
  return out;
}

}  // namespace automoe
