#pragma once
// The latency of one subnet under one hardware profile: per measured run the encoder time and
// the decoder time (incremental beam search), and their trimmed summaries. Torch-free.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "latency/trimmed_stats.h"

namespace automoe {

struct LatencyMeasurement {
  TrimmedStats total;    // encoder + decoder of the same run, trimmed over runs: the latency
  TrimmedStats encoder;  // the encoder pass alone
  TrimmedStats decoder;  // beam search over the target length alone
  std::vector<double> encoderMs;  // raw runs, in order
  std::vector<double> decoderMs;
  double trim = 0.1;  // fraction dropped at each end
  // Drift reference (HardwareProfile::driftReference): totals of the reference subnet's runs,
  // interleaved with these runs, and their trimmed summary; empty / zero without one.
  std::vector<double> referenceMs;
  TrimmedStats reference;

  bool hasReference() const { return !referenceMs.empty(); }
  void setReference(std::vector<double> runsMs);

  double meanMs() const { return total.mean; }
  // Shares of the trimmed means (encoder + decoder = 1).
  double encoderShare() const;
  double decoderShare() const { return 1.0 - encoderShare(); }

  // Summarises paired runs (same length, at least one run).
  static LatencyMeasurement fromRuns(std::vector<double> encoderMs, std::vector<double> decoderMs,
                                     double trim = 0.1);
  nlohmann::json toJson() const;
  static LatencyMeasurement fromJson(const nlohmann::json& j, const std::string& source);
};

}  // namespace automoe
