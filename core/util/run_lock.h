#pragma once
// One writer per run: an advisory lock (flock) on a lock file, held while a long job appends to
// its files (training's metrics and checkpoints, the search history, a latency dataset). A second
// process (or a second job in this one: the GUI and the CLI on one project) started on the same
// files is refused with the holder's pid instead of interleaving lines with it, or dropping them
// (a starting training run rewrites metrics.jsonl). The kernel releases the lock when its holder
// ends, however it ends (SIGKILL included), so no stale lock is ever left; the file itself stays.
// Child processes do not inherit it (close-on-exec). On a file system without locks the job runs
// unguarded.
#include <string>

namespace automoe {

class RunLock {
 public:
  // Takes the lock on `path` (created if missing). Throws ConfigError "<what>: in use by another
  // process (pid N) ..." when another holder has it, FileWriteError when the file cannot be made.
  RunLock(const std::string& path, const std::string& what);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  // The lock file of a run folder, and of a single file (`<dir>/.<name>.lock`).
  static std::string forFolder(const std::string& dir) { return dir + "/.automoe.lock"; }
  static std::string forFile(const std::string& path);

 private:
  int m_fd = -1;
};

}  // namespace automoe
