#include "stop_signals.h"

namespace automoe::cli {

namespace {
StopToken* gToken = nullptr;
extern "C" void onStopSignal(int) {
  if (gToken) gToken->requestStop();
}
}  // namespace

StopSignalScope::StopSignalScope(StopToken& token) : m_previousToken(gToken) {
  gToken = &token;
  struct sigaction sa {};
  sa.sa_handler = onStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &m_oldInt);
  sigaction(SIGTERM, &sa, &m_oldTerm);
}

StopSignalScope::~StopSignalScope() {
  sigaction(SIGINT, &m_oldInt, nullptr);
  sigaction(SIGTERM, &m_oldTerm, nullptr);
  gToken = m_previousToken;
}

}  // namespace automoe::cli
