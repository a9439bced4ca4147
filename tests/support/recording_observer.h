#pragma once
// A training observer that keeps everything it is told, for tests to inspect.
#include <string>
#include <utility>
#include <vector>

#include "train/training_observer.h"

namespace automoe::test {

struct RecordingObserver : TrainingObserver {
  std::vector<TrainStepStats> steps;
  std::vector<ValidationStats> validations;
  std::vector<std::string> messages;
  std::vector<std::pair<std::string, int64_t>> checkpoints;
  void onStep(const TrainStepStats& s) override { steps.push_back(s); }
  void onValidation(const ValidationStats& v) override { validations.push_back(v); }
  void onMessage(const std::string& m) override { messages.push_back(m); }
  void onCheckpoint(const std::string& path, int64_t step) override { checkpoints.emplace_back(path, step); }
};

}  // namespace automoe::test
