#include "util/atomic_file_writer.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "util/file_write_error.h"

namespace automoe {

AtomicFileWriter::AtomicFileWriter(std::string path)
    : m_path(std::move(path)), m_tmp(m_path + ".tmp." + std::to_string(::getpid())) {
  m_fd = ::open(m_tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (m_fd < 0) throw FileWriteError(m_path + ": cannot write: cannot create '" + m_tmp + "' (" + std::strerror(errno) + ")");
}

AtomicFileWriter::~AtomicFileWriter() {
  if (m_committed) return;
  if (m_fd >= 0) ::close(m_fd);
  ::unlink(m_tmp.c_str());
}

size_t AtomicFileWriter::write(const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  size_t left = m_errno == 0 ? n : 0;
  while (left > 0) {
    const ssize_t w = ::write(m_fd, p, left);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {  // 0 only for a file that cannot grow: as ENOSPC
      m_errno = w < 0 ? errno : ENOSPC;
      break;
    }
    p += w;
    left -= static_cast<size_t>(w);
  }
  return n;
}

void AtomicFileWriter::fail(const std::string& why) {
  if (m_fd >= 0) ::close(m_fd);
  m_fd = -1;
  ::unlink(m_tmp.c_str());
  throw FileWriteError(m_path + ": cannot write: " + why + " (a file there before is unchanged)");
}

void AtomicFileWriter::commit() {
  if (m_committed) return;
  if (m_errno != 0) fail(std::strerror(m_errno));
  if (::fsync(m_fd) != 0) fail(std::string("flush failed, ") + std::strerror(errno));
  const int fd = m_fd;
  m_fd = -1;
  if (::close(fd) != 0) fail(std::string("flush failed, ") + std::strerror(errno));
  if (std::rename(m_tmp.c_str(), m_path.c_str()) != 0)
    fail("cannot rename '" + m_tmp + "' over it (" + std::strerror(errno) + ")");
  m_committed = true;
}

}  // namespace automoe
