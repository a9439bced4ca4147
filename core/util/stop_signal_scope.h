#pragma once
// SIGINT/SIGTERM request a clean stop of the running job (it saves its state and the command exits
// with code 130) instead of killing the process.
//
// The handler must never run on a thread that computes: oneDNN's JIT sgemm kernels (Debian's 2.6,
// used for bf16 products by LibTorch and for fp32 ones by model/cpu_gemm) point the stack pointer
// into a heap buffer while they run, so a signal frame pushed there overwrites the heap (glibc then
// aborts with "corrupted size vs. prev_size"; oneDNN issue 4845, fixed upstream in 2026). So main()
// calls routeToOwnThread() before it starts any thread: the two signals are blocked in main and in
// every thread it creates later, and only one idle thread of ours accepts them.
#include <csignal>

#include "util/stop_token.h"

namespace automoe {

// While alive, SIGINT and SIGTERM set `token` (an atomic store: async-signal-safe); the previous
// handlers come back when the scope ends. Without a scope, the signals keep their default action
// (the process ends), whichever thread receives them.
class StopSignalScope {
 public:
  explicit StopSignalScope(StopToken& token);
  ~StopSignalScope();
  StopSignalScope(const StopSignalScope&) = delete;
  StopSignalScope& operator=(const StopSignalScope&) = delete;

  // Blocks SIGINT and SIGTERM in the calling thread (and so in the threads it starts from now on)
  // and starts the one thread that takes them. Idempotent; the scope's constructor calls it too, but
  // threads started before the first call (an OpenMP pool) keep accepting the signals.
  static void routeToOwnThread();
  // The thread (pthread_t as an integer) that ran the handler last; 0 before any signal. For tests.
  static unsigned long lastHandlerThread();

 private:
  struct sigaction m_oldInt {};
  struct sigaction m_oldTerm {};
  StopToken* m_previousToken;
};

}  // namespace automoe
