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
#include "project_models.h"
#include "util/stop_signal_scope.h"
#include "train/subnet_retrainer.h"
#include "train/training_data_factory.h"
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
  TrainingOptions options = project.retrain.training;
  if (ap.has("max-updates")) {
    options.maxUpdates = ap.intValue("max-updates", 0, 1, 100000000);
    options.lr.totalUpdates = options.maxUpdates;
    if (options.lr.warmupUpdates >= options.maxUpdates) options.lr.warmupUpdates = options.maxUpdates / 10;
  }
  if (ap.has("threads")) options.threads = static_cast<int>(ap.intValue("threads", 0, 1, 1024));
  SubnetRetrainer retrainer(project, arch, makeTrainingData(project, ap.has("synthetic")), ap.value("run-dir", ""),
                            options);
  std::fprintf(stderr, "retraining %s\n", arch.summary().c_str());
  int64_t resumed = 0;
  try {
    resumed = retrainer.prepare(ap.has("fresh"));
  } catch (const ConfigError& e) {  // a damaged or other run's checkpoint
    throw ConfigError(std::string(e.what()) + "; --fresh starts the retraining over (replacing it)");
  }
  if (resumed > 0) std::fprintf(stderr, "resuming %s at update %lld\n", retrainer.trainer().lastCheckpointPath().c_str(),
                                static_cast<long long>(resumed));
  StopToken stop;
  StopSignalScope signals(stop);
  ConsoleObserver observer(options.maxUpdates, options.logEvery, false);
  const RetrainOutcome r = retrainer.run(stop, observer);
  std::printf("%s\nrun folder: %s\n", r.train.message.c_str(), retrainer.runDir().c_str());
  if (r.train.status == TrainStatus::Stopped) return kExitInterrupted;
  if (r.train.status == TrainStatus::Diverged) return kExitDiverged;
  std::printf("averaged %zu checkpoints -> %s\nvalid loss %.4f  nll %.4f nats/token (perplexity %.2f)\n",
              r.averagedFrom.size(), r.averagedCheckpoint.c_str(), r.validLoss, r.validNll, std::exp(r.validNll));

  // The averaged model as a model folder (translate, evaluate, ship).
  if (ap.has("synthetic")) {
    std::printf("no model folder: synthetic data has no tokenizer to ship with it\n");
    return kExitOk;
  }
  ExportOptions o = exportOptionsFor(project, !ap.has("no-latency"));
  o.sourceCheckpoint = std::filesystem::absolute(r.averagedCheckpoint).lexically_normal().string();
  o.sourceStep = retrainer.trainer().step();
  o.validLoss = r.validLoss;
  SuperTransformer& model = retrainer.trainer().model();
  model->eval();
  const std::string out = SubnetRetrainer::modelDir(retrainer.runDir());
  const auto card = SubnetExporter::exportSubnet(*model, arch, o, out, stop,
                                                 [](const std::string& s) { std::fprintf(stderr, "%s\n", s.c_str()); });
  if (!card) return kExitInterrupted;
  std::printf("model folder: %s\n", out.c_str());
  return kExitOk;
}

}  // namespace automoe::cli
