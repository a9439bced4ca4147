// automoe retrain PROJECT (--arch ARCH.json | --model DIR): a searched subnet from scratch,
// its last checkpoints averaged and exported as a model folder (<run dir>/model).
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "arg_parser.h"
#include "cli_app.h"
#include "commands.h"
#include "console_observer.h"
#include "project/project.h"
#include "util/stop_signal_scope.h"
#include "train/retrain_job.h"
#include "util/config_error.h"

namespace automoe::cli {

namespace {

ArchConfig archToRetrain(const ArgParser& ap, const Project& p) {
  const int given = ap.has("arch") + ap.has("model");
  if (given != 1) throw UsageError("retrain: give exactly one of --arch ARCH.json or --model DIR");
  if (ap.has("model")) {
    const std::string path = ap.value("model", "") + "/arch.json";
    if (!std::filesystem::exists(path))
      throw ConfigError(path + ": no arch.json in the model directory (is it an exported model?)");
    return ArchConfig::loadValidated(path, p.space);
  }
  return ArchConfig::loadValidated(ap.value("arch", ""), p.space);
}

}  // namespace

int retrain(const Args& args) {
  ArgParser ap(args, {"arch", "model", "max-updates", "threads", "run-dir"}, {"fresh", "synthetic", "no-latency"});
  ap.expectPositional({"PROJECT"});
  const Project project = Project::load(ap.positional()[0]);
  const ArchConfig arch = archToRetrain(ap, project);
  RetrainJob job;
  job.fresh = ap.has("fresh");
  job.synthetic = ap.has("synthetic");
  if (ap.has("max-updates")) job.maxUpdates = ap.intValue("max-updates", 0, 1, 100000000);
  if (ap.has("threads")) job.threads = static_cast<int>(ap.intValue("threads", 0, 1, 1024));
  job.measureLatency = !ap.has("no-latency");
  job.runDir = ap.value("run-dir", "");
  const TrainingOptions options = retrainOptionsFor(project, job);
  StopToken stop;
  StopSignalScope signals(stop);
  ConsoleObserver observer(options.maxUpdates, options.logEvery, false);
  const RetrainJobResult r = runRetrainJob(project, arch, job, stop, observer);
  std::printf("%s\nrun folder: %s\n", r.train.message.c_str(), r.runDir.c_str());
  if (r.train.status == TrainStatus::Diverged) return kExitDiverged;
  if (!r.averagedCheckpoint.empty())
    std::printf("averaged %zu checkpoints -> %s\nvalid loss %.4f  nll %.4f nats/token (perplexity %.2f)\n",
                r.averagedFrom, r.averagedCheckpoint.c_str(), r.validLoss, r.validNll, std::exp(r.validNll));
  if (r.train.status == TrainStatus::Stopped) return kExitInterrupted;
  if (r.modelDir.empty()) {
    std::printf("%s\n", r.noModel.c_str());
    return kExitOk;
  }
  std::printf("model folder: %s\n", r.modelDir.c_str());
  return kExitOk;
}

}  // namespace automoe::cli
