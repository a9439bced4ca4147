// automoe train PROJECT
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>
#include <torch/cuda.h>

#include "arg_parser.h"
#include "cli_app.h"
#include "commands.h"
#include "console_observer.h"
#include "project/project.h"
#include "util/stop_signal_scope.h"
#include "train/c10d_collective.h"
#include "train/collective_error.h"
#include "train/training_job.h"
#include "util/config_error.h"
#include "util/run_lock.h"
#include "util/json_reader.h"

namespace automoe::cli {

namespace {

int runRank(const Project& project, TrainingOptions options, const ArgParser& ap, int rank, int world) {
  TrainingJob job;
  job.synthetic = ap.has("synthetic");
  job.fresh = ap.has("fresh");
  job.runDir = ap.value("run-dir", project.resolvePath(options.runDir));
  job.freshHint = "--fresh starts the run over (replacing it)";
  const std::string& runDir = job.runDir;
  std::unique_ptr<C10dCollective> collective;
  if (world > 1) {
    const bool cuda = options.device == "cuda" || (options.device == "auto" && torch::cuda::is_available());
    const CollectiveBackend backend = C10dCollective::choose(ap.value("backend", "auto"), cuda, world, "option --backend");
    // A write to a peer that died fails (EPIPE, a CollectiveError) instead of killing this rank.
    std::signal(SIGPIPE, SIG_IGN);
    collective = std::make_unique<C10dCollective>(backend, rank, world, ap.value("store", runDir + "/c10d_store"));
    if (rank == 0) std::fprintf(stderr, "data-parallel: %d ranks over c10d/%s\n", world, collective->backendName().c_str());
  }
  StopToken stop;
  StopSignalScope signals(stop);
  ConsoleObserver observer(options.maxUpdates, options.logEvery, rank != 0);
  TrainResult r;
  try {
    r = runTrainingJob(project, options, job, stop, observer, collective.get());
  } catch (const CollectiveError& e) {
    std::fprintf(stderr, "automoe: %s\n", e.what());
    return kExitPeerLost;
  }
  if (rank == 0) std::printf("%s\nrun folder: %s\n", r.message.c_str(), runDir.c_str());
  if (r.status == TrainStatus::Stopped) return kExitInterrupted;
  if (r.status == TrainStatus::Diverged) return kExitDiverged;
  return kExitOk;
}

// This command's arguments, as it was started.
std::vector<std::string> ownArguments() {
  std::vector<std::string> args;
  std::FILE* f = std::fopen("/proc/self/cmdline", "rb");
  std::string arg;
  int c;
  while (f && (c = std::fgetc(f)) != EOF) {
    if (c == 0) {
      args.push_back(arg);
      arg.clear();
    } else {
      arg.push_back(static_cast<char>(c));
    }
  }
  if (f) std::fclose(f);
  return args;
}

// Starts `world` ranks of this command as child processes and waits for them.
// - SIGINT/SIGTERM sent to the launcher reach every rank as SIGTERM; the ranks agree to stop at
//   the same update and rank 0 saves a checkpoint (a terminal's Ctrl-C, which signals the whole
//   process group, reaches them twice: harmless, a stop request is a flag).
// - A rank that fails (any exit but 0 and 130) makes the launcher stop the others, and kill those
//   still running a minute later (a rank may wait on its dead peer in an all-reduce).
// - A rank whose launcher dies gets SIGTERM (PR_SET_PDEATHSIG), so no rank outlives it.
// Returns the exit code of the rank that failed first for a cause of its own, not because a peer
// ended (exit 6, or SIGPIPE from an older build), else the first failing rank's, else the worst
// one (130 after a stop).
int launchRanks(int world, const std::string& store) {
  std::filesystem::remove(store);
  const std::vector<std::string> base = ownArguments();
  const pid_t launcher = getpid();
  // Every rank's command line, made before forking (a forked child of a threaded process may only
  // make async-signal-safe calls until it execs: no allocation).
  std::vector<std::vector<std::string>> args(static_cast<size_t>(world), base);
  std::vector<std::vector<char*>> argvs(static_cast<size_t>(world));
  for (size_t r = 0; r < args.size(); ++r) {
    args[r].push_back("--rank=" + std::to_string(r));
    args[r].push_back("--store=" + store);
    for (auto& a : args[r]) argvs[r].push_back(a.data());
    argvs[r].push_back(nullptr);
  }
  std::vector<pid_t> pids;
  for (int r = 0; r < world; ++r) {
    const pid_t pid = fork();
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != launcher) _exit(kExitInterrupted);  // the launcher died before prctl
      execv("/proc/self/exe", argvs[static_cast<size_t>(r)].data());
      _exit(127);
    }
    if (pid < 0) {
      std::fprintf(stderr, "automoe: cannot start rank %d: %s\n", r, std::strerror(errno));
      for (pid_t p : pids) kill(p, SIGTERM);
      for (pid_t p : pids) waitpid(p, nullptr, 0);
      return kExitInternal;
    }
    pids.push_back(pid);
  }
  StopToken stop;
  StopSignalScope signals(stop);
  using Clock = std::chrono::steady_clock;
  std::vector<bool> running(pids.size(), true);
  size_t left = pids.size();
  bool stopping = false;
  std::optional<Clock::time_point> killAt;
  int firstFailure = 0, firstCause = 0, worst = 0;
  auto stopAll = [&] {
    for (size_t i = 0; i < pids.size(); ++i)
      if (running[i]) kill(pids[i], SIGTERM);
    stopping = true;
  };
  while (left > 0) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      const auto it = std::find(pids.begin(), pids.end(), pid);
      if (it == pids.end()) continue;
      const size_t rank = static_cast<size_t>(it - pids.begin());
      running[rank] = false;
      --left;
      const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      worst = std::max(worst, code);
      const bool failed = code != kExitOk && code != kExitInterrupted;
      if (failed && firstCause == 0 && code != kExitPeerLost && code != 128 + SIGPIPE) firstCause = code;
      if (failed && firstFailure == 0) {
        firstFailure = code;
        if (left > 0) {
          std::fprintf(stderr, "automoe: rank %zu failed (exit code %d); stopping the other ranks\n", rank, code);
          stopAll();
          killAt = Clock::now() + std::chrono::seconds(60);
        }
      }
      continue;
    }
    if (pid < 0 && errno != EINTR) break;  // no children left to wait for
    if (!stopping && stop.stopRequested()) stopAll();
    if (killAt && Clock::now() > *killAt) {
      for (size_t i = 0; i < pids.size(); ++i)
        if (running[i]) kill(pids[i], SIGKILL);
      killAt.reset();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return firstCause != 0 ? firstCause : firstFailure != 0 ? firstFailure : worst;
}

}  // namespace

int train(const Args& args) {
  ArgParser ap(args, {"max-updates", "world-size", "backend", "threads", "precision", "run-dir", "rank", "store"},
               {"fresh", "synthetic"});
  ap.expectPositional({"PROJECT"});
  const Project project = Project::load(ap.positional()[0]);
  TrainingOptions options = project.training;
  if (ap.has("max-updates")) {
    options.maxUpdates = ap.intValue("max-updates", 0, 1, 100000000);
    options.lr.totalUpdates = options.maxUpdates;
  }
  if (ap.has("threads")) options.threads = static_cast<int>(ap.intValue("threads", 0, 1, 1024));
  if (ap.has("precision")) {
    options.precision = ap.value("precision", "fp32");
    if (options.precision != "fp32" && options.precision != "bf16")
      throw UsageError("option --precision: expected fp32 or bf16, got '" + options.precision + "'");
  }
  const int world = static_cast<int>(ap.intValue("world-size", 1, 1, 64));
  if (world > 1 && !ap.has("rank")) {
    // A bad --backend is refused here, once, not by every rank.
    C10dCollective::choose(ap.value("backend", "auto"), options.device != "cpu", world, "option --backend");
    const std::string runDir = ap.value("run-dir", project.resolvePath(options.runDir));
    std::filesystem::create_directories(runDir);
    // A folder another run is training in is refused before any rank starts (its ranks would meet
    // at the same c10d store file); rank 0 takes the lock for the run itself.
    { const RunLock probe(RunLock::forFolder(runDir), runDir); }
    return launchRanks(world, runDir + "/c10d_store");
  }
  return runRank(project, options, ap, static_cast<int>(ap.intValue("rank", 0, 0, world - 1)), world);
}

}  // namespace automoe::cli
