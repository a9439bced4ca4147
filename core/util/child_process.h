#pragma once
// Runs a program as a child process without a shell (posix_spawnp + pipes): feeds it `input` on
// stdin, collects stdout and stderr concurrently (poll, so neither side can deadlock on a full
// pipe) and returns the exit status. Used for the SentencePiece tokenizer (which cannot share a
// process with LibTorch) and for apt/dpkg tools when building the corpus.
#include <functional>
#include <string>
#include <vector>

namespace automoe {

class StopToken;

struct ChildOptions {
  std::string input;                // written to the child's stdin, which is then closed
  bool forwardStderr = false;       // copy the child's stderr to ours as it arrives (progress)
  const StopToken* stop = nullptr;  // when set and stop is requested: SIGTERM to the child
  std::string workingDirectory;     // empty: inherit
  std::vector<std::string> extraEnvironment;  // "NAME=value" entries added to our environment
};

struct ChildResult {
  int exitCode = -1;     // exit status; 128 + signal number when killed by a signal
  bool stopped = false;  // the StopToken fired and the child was terminated
  std::string out;
  std::string err;
};

// Throws std::runtime_error when the program cannot be started (e.g. not installed).
ChildResult runChild(const std::vector<std::string>& argv, const ChildOptions& options = {});

// "prog arg1 'arg 2'" for messages.
std::string describeCommand(const std::vector<std::string>& argv);

}  // namespace automoe
