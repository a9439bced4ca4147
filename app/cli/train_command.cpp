// automoe train PROJECT
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include "arg_parser.h"
#include "cli_app.h"
#include "commands.h"
#include "console_observer.h"
#include "project/project.h"
#include "util/stop_signal_scope.h"
#include "train/c10d_collective.h"
#include "train/synthetic_translation_data.h"
#include "train/trainer.h"
#include "training_data_factory.h"
#include "util/config_error.h"

namespace automoe::cli {

namespace {

int runRank(const Project& project, TrainingOptions options, const ArgParser& ap, int rank, int world) {
  const std::string runDir = ap.value("run-dir", project.resolvePath(options.runDir));
  auto data = makeTrainingData(project, ap.has("synthetic"));
  std::unique_ptr<C10dCollective> collective;
  if (world > 1) {
    const bool cuda = options.device == "cuda" || (options.device == "auto" && torch::cuda::is_available());
    const CollectiveBackend backend = C10dCollective::choose(ap.value("backend", "auto"), cuda, world, "option --backend");
    collective = std::make_unique<C10dCollective>(backend, rank, world, ap.value("store", runDir + "/c10d_store"));
    if (rank == 0) std::fprintf(stderr, "data-parallel: %d ranks over c10d/%s\n", world, collective->backendName().c_str());
  }
  Trainer trainer(project, options, data, runDir, collective.get());
  const std::string last = trainer.lastCheckpointPath();
  if (!ap.has("fresh") && std::filesystem::exists(last)) {
    trainer.resume(last);
    if (rank == 0) std::fprintf(stderr, "resuming %s at update %lld\n", last.c_str(), static_cast<long long>(trainer.step()));
  }
  StopToken stop;
  StopSignalScope signals(stop);
  ConsoleObserver observer(options.maxUpdates, options.logEvery, rank != 0);
  const TrainResult r = trainer.run(stop, observer);
  if (rank == 0) std::printf("%s\nrun folder: %s\n", r.message.c_str(), runDir.c_str());
  if (r.status == TrainStatus::Stopped) return kExitInterrupted;
  if (r.status == TrainStatus::Diverged) return kExitInternal;
  return kExitOk;
}

// Starts `world` ranks of this command as child processes and waits for them.
int launchRanks(int world, const std::string& store) {
  std::filesystem::remove(store);
  std::vector<pid_t> pids;
  const std::string self = "/proc/self/exe";
  std::vector<std::string> base;
  {
    std::FILE* f = std::fopen("/proc/self/cmdline", "rb");
    std::string arg;
    int c;
    while (f && (c = std::fgetc(f)) != EOF) {
      if (c == 0) {
        base.push_back(arg);
        arg.clear();
      } else {
        arg.push_back(static_cast<char>(c));
      }
    }
    if (f) std::fclose(f);
  }
  for (int r = 0; r < world; ++r) {
    const pid_t pid = fork();
    if (pid == 0) {
      std::vector<std::string> args = base;
      args.push_back("--rank=" + std::to_string(r));
      args.push_back("--store=" + store);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(self.c_str(), argv.data());
      _exit(127);
    }
    pids.push_back(pid);
  }
  signal(SIGINT, SIG_IGN);  // the ranks get the terminal's SIGINT themselves and save
  int worst = 0;
  for (pid_t pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (code > worst) worst = code;
  }
  return worst;
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
    return launchRanks(world, runDir + "/c10d_store");
  }
  return runRank(project, options, ap, static_cast<int>(ap.intValue("rank", 0, 0, world - 1)), world);
}

}  // namespace automoe::cli
