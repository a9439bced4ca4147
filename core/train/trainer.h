#pragma once
// SuperTransformer training by subnet sampling (AutoMoE/HAT), in a form that can be stopped,
// resumed bit-identically, run data-parallel, and observed.
//
// Per update: the subnet(s) of the step come from SubnetSampler(seed, step); the generator is
// re-seeded from (seed, step) so dropout masks do not depend on history; updateFreq micro-batches
// are accumulated; the loss is label-smoothed cross entropy per target token of the whole update
// plus the routers' weighted auxiliary losses; non-finite losses skip the update (and stop the run
// after maxBadSteps in a row); gradients may be clipped; SliceAdam updates only sampled slices.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "arch/arch_config.h"
#include "model/slice_recorder.h"
#include "model/super_transformer.h"
#include "project/project.h"
#include "train/lr_schedule.h"
#include "train/slice_adam.h"
#include "train/subnet_sampler.h"
#include "train/train_result.h"
#include "train/training_data.h"
#include "train/training_observer.h"
#include "train/training_options.h"
#include "util/run_lock.h"
#include "util/stop_token.h"

namespace automoe {

class Bf16WeightShadow;
class Collective;

class Trainer {
 public:
  // `runDir` receives checkpoint_last.pt, metrics.jsonl and run.json (created if missing).
  // With `fixedArch` the trainer trains that one subnet as a standalone model from fresh weights
  // (retraining a searched architecture): the model's shape is exactly the subnet, every update
  // trains it, and validation reports it alone (as "subnet"). Throws ConfigError if it lies
  // outside the project's search space.
  Trainer(const Project& project, TrainingOptions options, std::shared_ptr<TrainingData> data,
          std::string runDir, Collective* collective = nullptr,
          std::optional<ArchConfig> fixedArch = std::nullopt);
  ~Trainer();

  // Continues from a checkpoint (weights, moments, step, data position). Throws ConfigError, and
  // then leaves the trainer unchanged, for a checkpoint of another search space, seed, shape or
  // retrained architecture, and for a corrupt one.
  void resume(const std::string& checkpointPath);
  std::string lastCheckpointPath() const;
  // checkpoint_<step>.pt files kept beside checkpoint_last.pt (training.keep_checkpoints), oldest
  // first.
  std::vector<std::string> keptCheckpoints() const;

  // Holds the run folder's RunLock while it runs (ConfigError when another run has the folder).
  TrainResult run(const StopToken& stop, TrainingObserver& observer);
  // Takes the run folder's lock now (before clearing it, say), held until run() ends.
  void claimRunFolder();
  // One update; returns false if the loss was not finite (update skipped).
  bool trainStep(TrainStepStats& stats);
  ValidationStats validate();
  void saveCheckpoint(const std::string& path) const;

  // Fixed subnets validated during training: largest, smallest and seeded random ones.
  std::vector<std::pair<std::string, ArchConfig>> referenceSubnets() const;

  SuperTransformer& model() { return m_model; }
  int64_t step() const { return m_step; }
  const TrainingOptions& options() const { return m_options; }
  // Provenance recorded in run.json, checkpoints and metrics: seed, versions, BLAS, precision.
  nlohmann::json provenance() const;

 private:
  void nextBatchPosition();
  // The bf16 weight shadows products and the optimizer use, made on first call; null without.
  Bf16WeightShadow* bf16Shadow();
  // The stop request, agreed by all ranks (one all-reduce) when data-parallel.
  bool stopAgreed(const StopToken& stop) const;
  // All gradients of the update as leading boxes per parameter (recorded slices, plus the
  // non-zero box of any ordinary .grad()); with a collective, summed over ranks, which first agree
  // on every box (an expert may get tokens on one rank only).
  std::vector<SliceAdam::BoxGrad> collectGradients(const SliceRecorder& recorder);
  // Gradient clipping's factor for these gradients (1 when clip_norm is off or the global norm is
  // within it); Adam applies it as it reads each gradient.
  double clipScale(const std::vector<SliceAdam::BoxGrad>& boxes) const;
  void appendMetrics(const nlohmann::json& line) const;
  // run()'s updates; savedStep follows the update checkpoint_last.pt holds.
  TrainResult runUpdates(const StopToken& stop, TrainingObserver& observer, int64_t& savedStep);
  TrainBatch onDevice(TrainBatch b) const;

  Project m_project;
  TrainingOptions m_options;
  std::shared_ptr<TrainingData> m_data;
  std::string m_runDir;
  Collective* m_collective;
  std::optional<ArchConfig> m_fixedArch;
  at::Device m_device{at::kCPU};
  SuperTransformer m_model{nullptr};
  std::unique_ptr<SliceAdam> m_adam;
  // bf16 training on the CPU (bf16_weight_shadow.h): decided at construction, made by bf16Shadow()
  // on the first update or validation, so that a resumed run casts the loaded weights only.
  bool m_useBf16Shadow = false;
  std::unique_ptr<Bf16WeightShadow> m_bf16Shadow;
  std::unordered_map<const void*, size_t> m_paramIndex;  // parameter identity -> SliceAdam index
  SubnetSampler m_sampler;
  LrSchedule m_lr;
  int64_t m_step = 0;
  uint64_t m_epoch = 0;
  size_t m_batchIndex = 0;  // next batch of m_epoch's plan (for this update's first micro-batch)
  int64_t m_badSteps = 0;   // consecutive non-finite updates
  int64_t m_skippedTotal = 0;
  std::unique_ptr<RunLock> m_lock;  // see claimRunFolder
  const char* m_skipReason = "loss";  // what was not finite in the last skipped update: loss, gradient
};

}  // namespace automoe
