#include "util/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/config_error.h"
#include "util/file_write_error.h"

namespace automoe {

std::string RunLock::forFile(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "." + path + ".lock"
                                    : path.substr(0, slash + 1) + "." + path.substr(slash + 1) + ".lock";
}

RunLock::RunLock(const std::string& path, const std::string& what) {
  m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (m_fd < 0) throw FileWriteError(path + ": cannot create the lock file: " + std::strerror(errno));
  if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    // A file system without locks (some FUSE ones): run unguarded rather than not at all.
    if (err == ENOLCK || err == EOPNOTSUPP || err == ENOSYS || err == EINVAL) return;
    char pid[32] = {0};
    const ssize_t n = ::pread(m_fd, pid, sizeof pid - 1, 0);
    ::close(m_fd);
    m_fd = -1;
    if (err != EWOULDBLOCK) throw FileWriteError(path + ": cannot lock: " + std::strerror(err));
    std::string holder(pid, n > 0 ? static_cast<size_t>(n) : 0);
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    const std::string by = holder == std::to_string(::getpid()) ? "another job of this process"
                           : "another process" + (holder.empty() ? std::string() : " (pid " + holder + ")");
    throw ConfigError(what + ": in use by " + by + "; wait for it to finish or stop it, then run again");
  }
  // The holder's pid, for the message above (not needed for the lock itself).
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(m_fd, 0) != 0 || ::pwrite(m_fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // A full disk: the lock holds all the same.
  }
}

RunLock::~RunLock() {
  if (m_fd < 0) return;
  if (::ftruncate(m_fd, 0) != 0) {  // no pid left behind for the next one to name
  }
  ::close(m_fd);  // releases the lock
}

}  // namespace automoe
