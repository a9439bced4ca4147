#pragma once
// Retraining a searched subnet from scratch (AutoMoE/HAT's final stage) with the supernet's own
// Trainer: fresh weights in the subnet's exact shape, the project's "retrain" options, numbered
// checkpoints kept, and at the end the last `average_last` of them averaged into
// checkpoint_average.pt, whose validation loss is reported. Resumable like any training run.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arch/arch_config.h"
#include "project/project.h"
#include "train/trainer.h"

namespace automoe {

struct RetrainOutcome {
  TrainResult train;
  std::string averagedCheckpoint;        // empty unless the run finished
  std::vector<std::string> averagedFrom;  // the checkpoints averaged, oldest first
  double validLoss = 0;                  // averaged model, label-smoothed loss per target token
  double validNll = 0;                   // averaged model, NLL per target token (nats)
};

class SubnetRetrainer {
 public:
  // `runDir` empty: the options' run_dir. `options` absent: the project's retrain.training.
  // Throws ConfigError if `arch` lies outside the project's space.
  SubnetRetrainer(const Project& project, const ArchConfig& arch, std::shared_ptr<TrainingData> data,
                  std::string runDir = "", std::optional<TrainingOptions> options = std::nullopt);

  // Continues checkpoint_last.pt of the run folder unless `fresh` (which starts over and removes
  // the folder's numbered and averaged checkpoints). Returns the step it resumed at (0 if none).
  int64_t prepare(bool fresh);
  RetrainOutcome run(const StopToken& stop, TrainingObserver& observer);

  static std::string averagedCheckpointPath(const std::string& runDir) { return runDir + "/checkpoint_average.pt"; }
  // Where `automoe retrain` exports the averaged model.
  static std::string modelDir(const std::string& runDir) { return runDir + "/model"; }
  const std::string& runDir() const { return m_runDir; }
  Trainer& trainer() { return *m_trainer; }

 private:
  Project m_project;
  ArchConfig m_arch;
  std::string m_runDir;
  int m_averageLast;
  std::unique_ptr<Trainer> m_trainer;
};

}  // namespace automoe
