#pragma once
// Cooperative cancellation for long jobs: the owner (GUI, signal handler) calls requestStop(), the
// job polls stopRequested() between steps. Lock-free, so a signal handler may set it.
#include <atomic>

namespace automoe {

class StopToken {
 public:
  void requestStop() noexcept { m_stop.store(true, std::memory_order_relaxed); }
  bool stopRequested() const noexcept { return m_stop.load(std::memory_order_relaxed); }
  void reset() noexcept { m_stop.store(false, std::memory_order_relaxed); }

 private:
  std::atomic<bool> m_stop{false};
};

}  // namespace automoe
