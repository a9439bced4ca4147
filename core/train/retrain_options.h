#pragma once
// The project's "retrain" section: how a searched subnet is trained from scratch (AutoMoE/HAT's
// final stage) and its last checkpoints averaged.
//   "retrain": {"average_last": 5, "training": { ...any "training" field, overriding it... }}
// The retraining run uses the project's training options with those overrides; its run folder
// defaults to "runs/retrain" and it keeps the last `average_last` numbered checkpoints.
#include <nlohmann/json.hpp>

#include "train/training_options.h"

namespace automoe {

class JsonReader;

struct RetrainOptions {
  int averageLast = 5;         // checkpoints averaged at the end (1 = the last one alone)
  TrainingOptions training;    // effective options of the retraining run
  nlohmann::json overrides;    // the section's "training" object as written (for toJson)

  // `trainingSection` is the project's "training" object (null when absent).
  static RetrainOptions fromJson(const JsonReader& r, const nlohmann::json& trainingSection);
  static RetrainOptions defaults(const nlohmann::json& trainingSection);
  nlohmann::json toJson() const;
};

}  // namespace automoe
