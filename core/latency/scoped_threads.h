#pragma once
// Sets ATen's intra-op thread count for a scope and restores the previous count on exit (also
// when an exception leaves the scope).
#include <ATen/Parallel.h>

namespace automoe {

class ScopedThreads final {
 public:
  explicit ScopedThreads(int threads) : m_previous(at::get_num_threads()) {
    if (threads > 0 && threads != m_previous) at::set_num_threads(threads);
  }
  ~ScopedThreads() {
    if (at::get_num_threads() != m_previous) at::set_num_threads(m_previous);
  }
  ScopedThreads(const ScopedThreads&) = delete;
  ScopedThreads& operator=(const ScopedThreads&) = delete;

 private:
  int m_previous;
};

}  // namespace automoe
