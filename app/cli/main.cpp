// automoe: the headless command-line front end. All work is done by core; this file only
// dispatches to the command implementations in this directory.
#include <csignal>

#include "cli_app.h"
#include "util/allocator_tuning.h"
#include "util/stop_signal_scope.h"

int main(int argc, char** argv) {
  // Before any thread exists: SIGINT/SIGTERM must only ever be handled on a thread of their own.
  automoe::StopSignalScope::routeToOwnThread();
  automoe::keepLargeAllocationsInHeap();
  // A file-size limit (ulimit -f) makes the write fail with EFBIG, reported like a full disk,
  // instead of killing the process with the unsaved work.
  std::signal(SIGXFSZ, SIG_IGN);
  return automoe::cli::runCli(argc, argv);
}
