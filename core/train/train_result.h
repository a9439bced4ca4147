#pragma once
// How a training run ended (torch-free, for the GUI's worker and the CLI's exit codes).
#include <cstdint>
#include <string>

namespace automoe {

enum class TrainStatus { Finished, Stopped, Diverged };

struct TrainResult {
  TrainStatus status = TrainStatus::Finished;
  int64_t step = 0;      // updates done when the run ended
  std::string message;   // one line for the user: how it ended and where the checkpoint is
};

}  // namespace automoe
