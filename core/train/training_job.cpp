#include "train/training_job.h"

#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "train/checkpoint.h"
#include "train/collective.h"
#include "train/trainer.h"
#include "train/training_data_factory.h"
#include "util/config_error.h"
#include "util/json_reader.h"
#include "util/option_changes.h"

namespace automoe {

std::string trainingRunDir(const Project& project, const TrainingOptions& options, const TrainingJob& job) {
  return job.runDir.empty() ? project.resolvePath(options.runDir) : job.runDir;
}

TrainResult runTrainingJob(const Project& project, const TrainingOptions& options, const TrainingJob& job,
                           const StopToken& stop, TrainingObserver& observer, Collective* collective) {
  const bool lead = !collective || collective->rank() == 0;
  Trainer trainer(project, options, makeTrainingData(project, job.synthetic), trainingRunDir(project, options, job),
                  collective);
  const std::string last = trainer.lastCheckpointPath();
  if (!job.fresh && std::filesystem::exists(last)) {
    try {
      trainer.resume(last);
    } catch (const ConfigError& e) {  // damaged, or made for another space, seed or shape
      throw ConfigError(std::string(e.what()) + "; " + job.freshHint);
    }
    if (lead) {
      observer.onMessage("resuming " + last + " at update " + std::to_string(trainer.step()));
      const nlohmann::json meta = Checkpoint::readMeta(last);
      const std::string training = changedOptions(valueOr(meta, "training", nlohmann::json()), options.toJson(), false);
      const std::string model =
          changedOptions(valueOr(meta, "model_options", nlohmann::json()), project.model.toJson(), true);
      for (const auto& [what, changed] : {std::pair{"training", training}, std::pair{"model", model}})
        if (!changed.empty())
          observer.onMessage(std::string("note: ") + what + " options differ from the checkpoint's (" + changed +
                             "); the run goes on with the new ones, so it is not the run the checkpoint began");
    }
  }
  return trainer.run(stop, observer);
}

}  // namespace automoe
