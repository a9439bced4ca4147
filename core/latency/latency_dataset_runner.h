#pragma once
// Measures the subnets of a LatencySampler plan that a dataset does not hold yet, appending each
// as soon as it is measured. Re-running with the same (or a larger) count resumes: nothing stored
// is measured again. The measurement is a parameter (the profiler in production, a counter in
// tests).
#include <functional>
#include <optional>

#include "arch/search_space.h"
#include "latency/latency_measurement.h"
#include "latency/latency_sampler.h"

namespace automoe {

class LatencyDataset;
struct LatencySample;
class StopToken;

struct DatasetRunResult {
  int planned = 0;        // subnets in the plan (may be < requested for a tiny space)
  int alreadyStored = 0;  // of those, found in the file and skipped
  int measured = 0;       // measured and appended by this run
  bool stopped = false;   // the stop token ended the run early
};

class LatencyDatasetRunner {
 public:
  // Returns std::nullopt when the measurement was abandoned (stop requested).
  using Measure = std::function<std::optional<LatencyMeasurement>(const ArchConfig&)>;
  // Called after each appended sample with the number of plan entries stored so far.
  using Progress = std::function<void(const LatencySample& sample, int stored, int planned)>;

  // `decoderRows` (latencyDecoderRows of the profile) for the stored features.
  LatencyDatasetRunner(SearchSpace space, uint64_t seed, int decoderRows, Measure measure);
  void setProgress(Progress progress) { m_progress = std::move(progress); }

  DatasetRunResult run(LatencyDataset& dataset, int samples, const StopToken& stop) const;

 private:
  SearchSpace m_space;
  LatencySampler m_sampler;
  int m_decoderRows;
  Measure m_measure;
  Progress m_progress;
};

}  // namespace automoe
