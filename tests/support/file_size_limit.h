#pragma once
// A file-size limit for this process while in scope (RLIMIT_FSIZE, as `ulimit -f`), with SIGXFSZ
// ignored so that a write past it fails with EFBIG instead of killing the process: a full disk
// that a test can have without a small file system of its own.
#include <csignal>
#include <sys/resource.h>

namespace automoe::testing {

class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &m_saved);
    m_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit r = m_saved;
    r.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &r);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &m_saved);
    std::signal(SIGXFSZ, m_handler);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit m_saved{};
  void (*m_handler)(int) = SIG_DFL;
};

}  // namespace automoe::testing
