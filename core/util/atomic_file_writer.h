#pragma once
// A file written crash-safely in pieces: they go to a temporary next to the target, which commit()
// flushes to disk and renames over it, so readers see the old file or the new one, never half.
//
// The first failed write is remembered and the rest are skipped, while write() still reports every
// byte as taken: a library that writes through a callback (LibTorch's archive writer) then finishes
// normally. Told of a short write, LibTorch's writer throws, and throws again from its destructor,
// which ends the process (std::terminate) - a full disk during a checkpoint killed training.
// commit() throws FileWriteError with the system's reason; a writer never committed removes its
// temporary.
#include <cstddef>
#include <string>

namespace automoe {

class AtomicFileWriter {
 public:
  // Throws FileWriteError when the temporary cannot be created (no such folder, permissions).
  explicit AtomicFileWriter(std::string path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  // Appends n bytes; returns n even after a failure (see above).
  size_t write(const void* data, size_t n);
  // Flushes, closes and renames the temporary over the target; throws FileWriteError naming the
  // target when any write, the flush or the rename failed (the temporary is removed).
  void commit();

  const std::string& path() const { return m_path; }

 private:
  [[noreturn]] void fail(const std::string& why);

  std::string m_path;
  std::string m_tmp;
  int m_fd = -1;
  int m_errno = 0;  // the first failed write's
  bool m_committed = false;
};

}  // namespace automoe
