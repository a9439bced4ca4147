#pragma once
// A run folder's metrics.jsonl read back as the observer's records, so that a front end opening a
// run shows its curves so far (the GUI does, before and while it resumes the run). Lines that do
// not parse or lack a field (one cut short by a crash, one hand-edited) are skipped and counted;
// an unreadable file reads as no history. A line from before expert_load_encoder_rows was logged
// reads as -1 there (which rows are encoder layers is not known).
#include <cstdint>
#include <string>
#include <vector>

#include "train/training_observer.h"

namespace automoe {

struct MetricsHistory {
  std::vector<TrainStepStats> steps;          // "train" lines, in file order
  std::vector<ValidationStats> validations;   // "valid" lines, in file order
  int64_t skippedLines = 0;
};

MetricsHistory readMetricsHistory(const std::string& path);

}  // namespace automoe
