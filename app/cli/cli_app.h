#pragma once
// Entry point of the `automoe` CLI. Exit codes: 0 success, 1 internal error, 2 bad input
// (usage, project file, search space, architecture, checkpoint), 3 `blas check` found the kernel
// unusable, 4 an output could not be written (disk full, permissions), 5 training diverged, 6 a
// data-parallel rank lost its peers, 130 stopped by SIGINT/SIGTERM.

namespace automoe::cli {

constexpr int kExitOk = 0;
constexpr int kExitInternal = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitCheckFailed = 3;  // blas check: the kernel did not run, or disagrees
constexpr int kExitWriteFailed = 4;  // the file system refused an output; files before are unchanged
constexpr int kExitDiverged = 5;     // training stopped: the loss or its gradient was not finite max_bad_steps times
constexpr int kExitPeerLost = 6;     // a data-parallel rank whose peer rank ended or whose connection to it broke
constexpr int kExitInterrupted = 130;

int runCli(int argc, char** argv);

}  // namespace automoe::cli
