#include "train/retrain_job.h"

#include <filesystem>

#include "export/project_models.h"
#include "export/subnet_exporter.h"
#include "train/subnet_retrainer.h"
#include "train/training_data_factory.h"
#include "util/config_error.h"

namespace automoe {

std::string retrainRunDir(const Project& p, const RetrainJob& job) {
  return job.runDir.empty() ? p.resolvePath(p.retrain.training.runDir) : job.runDir;  // as SubnetRetrainer
}

std::string retrainedModelDir(const std::string& runDir) { return SubnetRetrainer::modelDir(runDir); }

TrainingOptions retrainOptionsFor(const Project& p, const RetrainJob& job) {
  TrainingOptions options = p.retrain.training;
  if (job.maxUpdates > 0) {
    options.maxUpdates = job.maxUpdates;
    options.lr.totalUpdates = options.maxUpdates;
    if (options.lr.warmupUpdates >= options.maxUpdates) options.lr.warmupUpdates = options.maxUpdates / 10;
  }
  if (job.threads > 0) options.threads = job.threads;
  return options;
}

RetrainJobResult runRetrainJob(const Project& p, const ArchConfig& arch, const RetrainJob& job, const StopToken& stop,
                               TrainingObserver& observer) {
  const TrainingOptions options = retrainOptionsFor(p, job);
  SubnetRetrainer retrainer(p, arch, makeTrainingData(p, job.synthetic), job.runDir, options);
  observer.onMessage("retraining " + arch.summary());
  RetrainJobResult out;
  out.runDir = retrainer.runDir();
  try {
    out.resumedAt = retrainer.prepare(job.fresh);
  } catch (const ConfigError& e) {  // a damaged or other run's checkpoint
    throw ConfigError(std::string(e.what()) + (job.freshHint.empty() ? "" : "; " + job.freshHint));
  }
  if (out.resumedAt > 0)
    observer.onMessage("resuming " + retrainer.trainer().lastCheckpointPath() + " at update " +
                       std::to_string(out.resumedAt));
  const RetrainOutcome r = retrainer.run(stop, observer);
  out.train = r.train;
  if (r.train.status != TrainStatus::Finished) return out;
  out.averagedCheckpoint = r.averagedCheckpoint;
  out.averagedFrom = r.averagedFrom.size();
  out.validLoss = r.validLoss;
  out.validNll = r.validNll;
  if (job.synthetic) {
    out.noModel = "no model folder: synthetic data has no tokenizer to ship with it";
    return out;
  }
  // The averaged model as a model folder (translate, evaluate, ship).
  ExportOptions o = exportOptionsFor(p, job.measureLatency);
  o.sourceCheckpoint = std::filesystem::absolute(r.averagedCheckpoint).lexically_normal().string();
  o.sourceStep = retrainer.trainer().step();
  o.validLoss = r.validLoss;
  SuperTransformer& model = retrainer.trainer().model();
  model->eval();
  const std::string dir = SubnetRetrainer::modelDir(retrainer.runDir());
  const auto card = SubnetExporter::exportSubnet(*model, arch, o, dir, stop,
                                                 [&observer](const std::string& s) { observer.onMessage(s); });
  if (!card) {
    out.train.status = TrainStatus::Stopped;
    out.noModel = "stopped while exporting the model folder; run again to export it";
    return out;
  }
  out.modelDir = dir;
  return out;
}

}  // namespace automoe
