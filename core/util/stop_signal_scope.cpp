#include "util/stop_signal_scope.h"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <system_error>
#include <thread>

namespace automoe {

namespace {

std::atomic<StopToken*> gToken{nullptr};
std::atomic<unsigned long> gHandlerThread{0};

extern "C" void onStopSignal(int) {
  gHandlerThread.store(static_cast<unsigned long>(pthread_self()));
  if (StopToken* t = gToken.load()) t->requestStop();
}

sigset_t stopSignals() {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGINT);
  sigaddset(&s, SIGTERM);
  return s;
}

}  // namespace

void StopSignalScope::routeToOwnThread() {
  static std::once_flag once;
  std::call_once(once, [] {
    const sigset_t s = stopSignals();
    // The new thread starts with this thread's mask; it unblocks the signals for itself in case
    // they came blocked (a parent's mask survives exec) and then only waits for them.
    try {
      std::thread([s] {
        pthread_sigmask(SIG_UNBLOCK, &s, nullptr);
        for (;;) pause();
      }).detach();
    } catch (const std::system_error&) {
      pthread_sigmask(SIG_UNBLOCK, &s, nullptr);  // no thread to spare: handled on any thread, as before
      return;
    }
    pthread_sigmask(SIG_BLOCK, &s, nullptr);
  });
}

unsigned long StopSignalScope::lastHandlerThread() { return gHandlerThread.load(); }

StopSignalScope::StopSignalScope(StopToken& token) : m_previousToken(gToken.load()) {
  routeToOwnThread();
  gToken.store(&token);
  struct sigaction sa {};
  sa.sa_handler = onStopSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &m_oldInt);
  sigaction(SIGTERM, &sa, &m_oldTerm);
}

StopSignalScope::~StopSignalScope() {
  sigaction(SIGINT, &m_oldInt, nullptr);
  sigaction(SIGTERM, &m_oldTerm, nullptr);
  gToken.store(m_previousToken);
}

}  // namespace automoe
