#pragma once
// SIGINT/SIGTERM request a clean stop of the running job (it saves its state and the command exits
// with code 130) instead of killing the process.
#include <csignal>

#include "util/stop_token.h"

namespace automoe::cli {

// While alive, SIGINT and SIGTERM set `token` (an atomic store: async-signal-safe); the previous
// handlers come back when the scope ends.
class StopSignalScope {
 public:
  explicit StopSignalScope(StopToken& token);
  ~StopSignalScope();
  StopSignalScope(const StopSignalScope&) = delete;
  StopSignalScope& operator=(const StopSignalScope&) = delete;

 private:
  struct sigaction m_oldInt {};
  struct sigaction m_oldTerm {};
  StopToken* m_previousToken;
};

}  // namespace automoe::cli
