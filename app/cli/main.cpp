// automoe: the headless command-line front end. All work is done by core; this file only
// dispatches to the command implementations in this directory.
#include "cli_app.h"
#include "util/allocator_tuning.h"
#include "util/stop_signal_scope.h"

int main(int argc, char** argv) {
  // Before any thread exists: SIGINT/SIGTERM must only ever be handled on a thread of their own.
  automoe::StopSignalScope::routeToOwnThread();
  automoe::keepLargeAllocationsInHeap();
  return automoe::cli::runCli(argc, argv);
}
