// automoe: the headless command-line front end. All work is done by core; this file only
// dispatches to the command implementations in this directory.
#include "cli_app.h"
#include "util/allocator_tuning.h"

int main(int argc, char** argv) {
  automoe::keepLargeAllocationsInHeap();
  return automoe::cli::runCli(argc, argv);
}
