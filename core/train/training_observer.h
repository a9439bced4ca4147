#pragma once
// How a training run reports progress: the CLI prints and logs, the GUI adapts these calls to Qt
// signals on its worker thread. Called on the training thread; keep implementations cheap.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace automoe {

struct TrainStepStats {
  int64_t step = 0;              // updates done, including this one
  double lr = 0;
  double loss = 0;               // label-smoothed cross entropy per target token (nats)
  double nll = 0;                // negative log-likelihood per target token (nats)
  double auxLoss = 0;            // weighted router losses (mean over MoE layers)
  std::map<std::string, double> auxTerms;
  double secondsPerUpdate = 0;
  double targetTokensPerSecond = 0;
  int64_t targetTokens = 0;
  // Per layer of the (first) sampled subnet, encoder layers first: each expert's share of the
  // layer's routed tokens (a dense layer has one expert).
  std::vector<std::vector<double>> expertLoad;
  int64_t expertLoadEncoderRows = 0;  // how many of expertLoad's rows are encoder layers
  int64_t droppedTokens = 0;
  int64_t skippedSteps = 0;      // non-finite losses so far
  std::string arch;              // summary of the (first) sampled subnet
};

struct ValidationEntry {
  std::string name;  // "largest", "smallest", "random-1", ...
  double loss = 0;   // per target token (nats)
  double nll = 0;
  int64_t tokens = 0;
};

struct ValidationStats {
  int64_t step = 0;
  std::vector<ValidationEntry> subnets;
};

class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  virtual void onStep(const TrainStepStats&) {}
  virtual void onValidation(const ValidationStats&) {}
  virtual void onCheckpoint(const std::string& /*path*/, int64_t /*step*/) {}
  virtual void onMessage(const std::string& /*text*/) {}
};

}  // namespace automoe
