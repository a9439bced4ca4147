#pragma once
// Entry point of the `automoe` CLI. Exit codes: 0 success, 1 internal error, 2 bad input
// (usage, project file, search space, architecture, checkpoint), 130 stopped by SIGINT/SIGTERM.

namespace automoe::cli {

constexpr int kExitOk = 0;
constexpr int kExitInternal = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitInterrupted = 130;

int runCli(int argc, char** argv);

}  // namespace automoe::cli
