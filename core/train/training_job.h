#pragma once
// One process's share of `automoe train PROJECT`: the project's training data (its prepared corpus,
// or the synthetic one), a Trainer on the run folder, resumed from checkpoint_last.pt unless the
// job is fresh, run until it finishes, diverges or is stopped. The CLI runs it on every rank; the
// GUI runs it on a worker thread. Torch-free header, so that Qt code may include it.
#include <string>

#include "project/project.h"
#include "train/train_result.h"
#include "train/training_observer.h"
#include "train/training_options.h"
#include "util/stop_token.h"

namespace automoe {

class Collective;

struct TrainingJob {
  bool synthetic = false;  // the synthetic corpus sized to the project's vocabulary
  bool fresh = false;      // start over even where the run folder has a checkpoint
  std::string runDir;      // "" = the project's training.run_dir
  // Appended to the message refusing a checkpoint that cannot be resumed: how this front end
  // starts over ("--fresh starts the run over").
  std::string freshHint = "start the run fresh to replace it";
};

// The run folder a job trains in (absolute or relative to the project file's folder).
std::string trainingRunDir(const Project& project, const TrainingOptions& options, const TrainingJob& job);

// Runs the job. The lead rank (every run without `collective`) reports through `observer`'s
// onMessage where it resumes, and which options differ from the checkpoint's. Throws ConfigError
// for a project without a prepared corpus (unless synthetic), a run folder in use, or a
// checkpoint that cannot be resumed (with job.freshHint).
TrainResult runTrainingJob(const Project& project, const TrainingOptions& options, const TrainingJob& job,
                           const StopToken& stop, TrainingObserver& observer, Collective* collective = nullptr);

}  // namespace automoe
