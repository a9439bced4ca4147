#include "train/subnet_retrainer.h"

#include <filesystem>

#include "train/checkpoint.h"
#include "train/checkpoint_averaging.h"

namespace automoe {

SubnetRetrainer::SubnetRetrainer(const Project& project, const ArchConfig& arch, std::shared_ptr<TrainingData> data,
                                 std::string runDir, std::optional<TrainingOptions> given)
    : m_project(project), m_arch(arch), m_averageLast(project.retrain.averageLast) {
  TrainingOptions options = given ? *std::move(given) : project.retrain.training;
  if (options.keepCheckpoints < m_averageLast) options.keepCheckpoints = m_averageLast;
  m_runDir = runDir.empty() ? project.resolvePath(options.runDir) : std::move(runDir);
  m_trainer = std::make_unique<Trainer>(m_project, options, std::move(data), m_runDir, nullptr, m_arch);
}

int64_t SubnetRetrainer::prepare(bool fresh) {
  m_trainer->claimRunFolder();  // before anything in it is removed or read
  if (fresh) {
    for (const std::string& p : m_trainer->keptCheckpoints()) std::filesystem::remove(p);
    std::filesystem::remove(m_trainer->lastCheckpointPath());
    std::filesystem::remove(averagedCheckpointPath(m_runDir));
    std::filesystem::remove(m_runDir + "/metrics.jsonl");
    return 0;
  }
  if (!std::filesystem::exists(m_trainer->lastCheckpointPath())) return 0;
  m_trainer->resume(m_trainer->lastCheckpointPath());
  return m_trainer->step();
}

RetrainOutcome SubnetRetrainer::run(const StopToken& stop, TrainingObserver& observer) {
  RetrainOutcome out;
  out.train = m_trainer->run(stop, observer);
  if (out.train.status != TrainStatus::Finished) return out;
  std::vector<std::string> kept = m_trainer->keptCheckpoints();
  if (kept.size() > static_cast<size_t>(m_averageLast))
    kept.erase(kept.begin(), kept.end() - m_averageLast);
  if (kept.empty()) kept.push_back(m_trainer->lastCheckpointPath());
  nlohmann::json meta = averageCheckpoints(kept, *m_trainer->model());
  const ValidationStats v = m_trainer->validate();
  out.validLoss = v.subnets.at(0).loss;
  out.validNll = v.subnets.at(0).nll;
  meta["averaged_valid_loss"] = out.validLoss;
  meta["averaged_valid_nll"] = out.validNll;
  meta.erase("format_version");
  out.averagedCheckpoint = averagedCheckpointPath(m_runDir);
  Checkpoint::save(out.averagedCheckpoint, *m_trainer->model(), nullptr, meta);
  out.averagedFrom = kept;
  observer.onMessage("averaged " + std::to_string(kept.size()) + " checkpoints into " + out.averagedCheckpoint);
  return out;
}

}  // namespace automoe
