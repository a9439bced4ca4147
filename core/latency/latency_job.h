#pragma once
// `automoe latency dataset` and `automoe latency train` as jobs that the CLI and the GUI share:
// measure the subnets of the project's latency plan under one hardware profile (resumable: every
// sample is appended as soon as it is measured), and fit the latency predictor on what was
// measured. readLatencyFit() reads a trained predictor back with its dataset, for a view of how
// well it fits. Torch-free header.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "latency/latency_dataset_runner.h"
#include "latency/predictor_report.h"
#include "project/project.h"
#include "util/stop_token.h"

namespace automoe {

struct LatencySample;

struct LatencyDatasetJob {
  std::string profile;  // "" = the first of the project's hardware profiles
  int samples = 0;      // the dataset's size to reach; 0 = the project's latency.dataset_samples
};

struct LatencyDatasetJobResult {
  std::string path;      // the dataset (JSONL)
  std::string profile;   // the profile's name
  size_t stored = 0;     // samples in the file now
  int target = 0;        // the size asked for
  DatasetRunResult run;  // planned, already stored, measured now, stopped
};

// Called after each measured sample: the sample, the plan entries stored so far, the plan's size.
using LatencySampleProgress = std::function<void(const LatencySample& sample, int stored, int planned)>;
using LatencyJobMessage = std::function<void(const std::string& line)>;

// Throws ConfigError for an unknown profile, or a dataset measured for another space or profile.
// The stop token ends it after the subnet being measured (the run's `stopped`), every measured
// sample kept.
LatencyDatasetJobResult runLatencyDatasetJob(const Project& project, const LatencyDatasetJob& job, const StopToken& stop,
                                             const LatencySampleProgress& progress,
                                             const LatencyJobMessage& message = {});

struct LatencyPredictorJob {
  std::string profile;   // "" = the first profile
  double holdout = -1;   // < 0: the project's latency.predictor.holdout
  int steps = 0;         // 0: the project's latency.predictor.steps
};

// One dataset row against the predictor.
struct LatencyFitPoint {
  int index = 0;           // the sample's place in the latency plan
  double measuredMs = 0;
  double predictedMs = 0;  // for the machine state the row was measured in
  bool heldOut = false;    // kept out of training (for the report)
  bool inFit = true;       // in the dataset when the predictor was fitted (false: measured since)
  std::string summary;     // ArchConfig::summary()
};

struct LatencyFit {
  std::string datasetPath;
  std::string predictorStem;  // <stem>.pt + <stem>.json
  std::string profile;
  size_t features = 0;
  double ridge = 0;
  bool usesMachineState = false;
  double referenceBaselineMs = 0;
  PredictorReport report;  // as fitted (readLatencyFit: as recorded when it was fitted)
  // Every row of the dataset, in the file's order.
  std::vector<LatencyFitPoint> points;
  // readLatencyFit: the dataset holds rows the predictor has not seen (measured after the fit).
  bool datasetGrew = false;
};

// Fits the predictor on the profile's dataset and saves it. Throws ConfigError when the dataset is
// missing, was measured for another space or other profile settings, or has fewer than 5 rows.
LatencyFit runLatencyPredictorJob(const Project& project, const LatencyPredictorJob& job,
                                  const LatencyJobMessage& message = {});

// The saved predictor of `profile` against its dataset; std::nullopt when either file is missing.
// Throws ConfigError when a file is damaged or made for another search space.
std::optional<LatencyFit> readLatencyFit(const Project& project, const std::string& profile);

}  // namespace automoe
