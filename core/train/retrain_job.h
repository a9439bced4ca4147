#pragma once
// `automoe retrain PROJECT --arch|--model` as a job the CLI and the GUI share: the subnet trained
// from scratch with the project's retrain options (resuming its run folder unless `fresh`), its
// last checkpoints averaged, and the averaged model exported as a model folder
// (<run dir>/model). Torch-free header.
#include <cstdint>
#include <string>

#include "arch/arch_config.h"
#include "project/project.h"
#include "train/train_result.h"
#include "train/training_observer.h"
#include "train/training_options.h"
#include "util/stop_token.h"

namespace automoe {

struct RetrainJob {
  bool fresh = false;          // start over, replacing the run folder's checkpoints
  bool synthetic = false;      // the synthetic corpus (no model folder: it has no tokenizer)
  int64_t maxUpdates = 0;      // 0: the project's retrain.training.max_updates
  int threads = 0;             // 0: the project's retrain.training.threads
  bool measureLatency = true;  // the model folder's card measures latency under every profile
  std::string runDir;          // "" = the project's retrain.training.run_dir
  // Appended to the message that refuses a damaged or another run's checkpoint.
  std::string freshHint = "--fresh starts the retraining over (replacing it)";
};

struct RetrainJobResult {
  TrainResult train;
  std::string runDir;
  int64_t resumedAt = 0;           // the update it resumed at (0: started afresh)
  std::string averagedCheckpoint;  // empty unless it finished
  size_t averagedFrom = 0;         // checkpoints averaged
  double validLoss = 0;            // averaged model, label-smoothed
  double validNll = 0;
  std::string modelDir;            // the model folder written ("" when none was)
  std::string noModel;             // why there is none, when it finished without one
};

// The run folder a job retrains in (its runDir as given, else the project's
// retrain.training.run_dir resolved against the project's folder), and
// the model folder it exports there.
std::string retrainRunDir(const Project& project, const RetrainJob& job);
std::string retrainedModelDir(const std::string& runDir);

// The project's retrain options with the job's changes (updates, with the schedule's length and
// warm-up kept inside them; threads).
TrainingOptions retrainOptionsFor(const Project& project, const RetrainJob& job);

// Throws ConfigError when the subnet lies outside the space or the data or checkpoint do not fit.
// Progress, validation, checkpoints and notes ("retraining …", "resuming … at update N", the
// export's lines) go to `observer`.
RetrainJobResult runRetrainJob(const Project& project, const ArchConfig& arch, const RetrainJob& job,
                               const StopToken& stop, TrainingObserver& observer);

}  // namespace automoe
