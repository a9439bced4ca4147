#pragma once
// One `automoe search PROJECT`: the trained supernet's checkpoint, inherited-weight fitness on the
// project's validation data (or the synthetic corpus), the constraints and metrics of the search
// section, the resumable history (<search.run_dir>/history.jsonl), and result.json when the search
// finishes. The CLI runs it, and the GUI on a worker thread. Torch-free header.
#include <string>

#include <nlohmann/json.hpp>

#include "project/project.h"
#include "search/search_observer.h"
#include "search/search_result.h"
#include "util/stop_token.h"

namespace automoe {

struct SearchJob {
  bool fresh = false;      // a new history, replacing the stored one
  bool synthetic = false;  // fitness on the synthetic corpus sized to the project's vocabulary
  bool trial = false;      // SearchOptions::shrinkForTrial: a minutes-long check of the pipeline
  int population = 0;      // 0 = the project's
  int generations = 0;     // 0 = the project's
  int threads = 0;         // intra-op threads; 0 = the project's training.threads, or LibTorch's default
};

struct SearchJobResult {
  SearchResult search;
  nlohmann::json resultJson;  // what result.json holds (seed, provenance, best, front, summary)
  std::string historyPath;
  std::string resultPath;     // written only when the search finished
};

// The project's search options with the job's changes (trial, population, generations).
SearchOptions searchOptionsFor(const Project& project, const SearchJob& job);

// Throws ConfigError when the supernet has not been trained (or was trained on another space),
// when the data or the history's settings do not fit, or when no subnet meets the constraints.
// What the CLI printed before the search starts (resuming, dropped a cut-off line, the plan) goes
// to observer.onMessage.
SearchJobResult runSearchJob(const Project& project, const SearchJob& job, const StopToken& stop,
                             SearchObserver& observer);

}  // namespace automoe
