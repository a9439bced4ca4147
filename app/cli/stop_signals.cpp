#include "stop_signals.h"

#include <csignal>

namespace automoe::cli {

namespace {
StopToken* gToken = nullptr;
extern "C" void onStopSignal(int) {
  if (gToken) gToken->requestStop();  // an atomic store: async-signal-safe
}
}  // namespace

void installStopSignals(StopToken& token) {
  gToken = &token;
  struct sigaction sa {};
  sa.sa_handler = onStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace automoe::cli
