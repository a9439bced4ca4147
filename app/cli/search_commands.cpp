// automoe search PROJECT: evolutionary search over the project's space with inherited supernet
// weights as fitness (validation loss), constraints and objectives from the "search" section.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "arg_parser.h"
#include "cli_app.h"
#include "commands.h"
#include "console_search_observer.h"
#include "project/project.h"
#include "search/search_job.h"
#include "util/stop_signal_scope.h"

#include "time_left.h"

namespace automoe::cli {

namespace {

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
  SearchJob job;
  job.fresh = ap.has("fresh");
  job.synthetic = ap.has("synthetic");
  job.trial = ap.has("trial");
  if (ap.has("population")) job.population = static_cast<int>(ap.intValue("population", 0, 3, 1000000));
  if (ap.has("generations")) job.generations = static_cast<int>(ap.intValue("generations", 0, 1, 1000000));
  if (ap.has("threads")) job.threads = static_cast<int>(ap.intValue("threads", 0, 1, 1024));

  StopToken stop;
  StopSignalScope signals(stop);
  ConsoleSearchObserver observer(searchOptionsFor(project, job).generations);
  const SearchJobResult out = runSearchJob(project, job, stop, observer);
  const SearchResult& r = out.search;
  const std::string& historyPath = out.historyPath;
  if (r.status == SearchResult::Status::Stopped) {
    std::fprintf(stderr, "automoe: stopped; %s keeps every evaluated candidate, run again to resume\n",
                 historyPath.c_str());
    return kExitInterrupted;
  }
  const nlohmann::json& result = out.resultJson;
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
  std::printf("%d candidates (%d evaluated now) in %.1f s (%.1f s fitness)\nhistory %s\nresult  %s\n",
              r.candidates, r.evaluations, r.seconds, r.fitnessSeconds, historyPath.c_str(), out.resultPath.c_str());
  return kExitOk;
}

}  // namespace automoe::cli
