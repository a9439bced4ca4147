#pragma once
// The project's "training" section: how the SuperTransformer is trained.
#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "train/lr_schedule.h"

namespace automoe {

class JsonReader;

struct TrainingOptions {
  int64_t maxUpdates = 2000;
  std::string sampling = "uniform";   // "uniform" | "sandwich"
  LrScheduleOptions lr;               // lr.totalUpdates follows maxUpdates
  double adamBeta1 = 0.9;
  double adamBeta2 = 0.98;
  double adamEps = 1e-8;
  double weightDecay = 0.0;
  // "eager": Adam's moments for every weight are allocated and zeroed on the first update (memory
  // known from the start, no page faults later); "lazy": committed as sampled slices first touch
  // them (less memory while few subnets have been sampled).
  std::string optimizerState = "eager";
  double labelSmoothing = 0.1;
  double clipNorm = 0.0;              // 0 = no clipping
  int updateFreq = 1;                 // micro-batches accumulated per update
  int64_t logEvery = 10;
  int64_t validateEvery = 200;
  int64_t checkpointEvery = 200;
  int keepCheckpoints = 0;            // numbered checkpoint_<step>.pt kept (for averaging), 0 = none
  int referenceSubnets = 3;           // fixed random subnets validated besides largest/smallest
  int validBatches = 20;              // validation batches per reference subnet
  int maxBadSteps = 5;                // consecutive non-finite losses before the run stops
  std::string precision = "fp32";     // "fp32" | "bf16" (fp32 master weights, autocast)
  int threads = 0;                    // intra-op threads, 0 = LibTorch default
  std::string device = "auto";        // "auto" (CUDA when LibTorch has it), "cpu", "cuda"
  std::string blas = "auto";          // "auto": use a verified faster BLAS kernel | "default"
  // fp32 CPU products of the model's linear layers: "auto" (oneDNN's sgemm where this build has
  // it and it agrees with the BLAS on test products), "blas" (LibTorch's BLAS) or "onednn".
  std::string cpuGemm = "auto";
  std::string runDir = "runs/supernet";

  static TrainingOptions fromJson(const JsonReader& r);
  nlohmann::json toJson() const;
};

}  // namespace automoe
