#include "train/retrain_options.h"

#include <nlohmann/json.hpp>

#include "util/json_reader.h"

namespace automoe {

namespace {

RetrainOptions build(int averageLast, const nlohmann::json& overrides, const nlohmann::json& trainingSection,
                     const std::string& source, const std::string& path) {
  nlohmann::json merged = trainingSection.is_object() ? trainingSection : nlohmann::json::object();
  merged.erase("run_dir");
  merged.erase("keep_checkpoints");
  merged.merge_patch(overrides);
  if (!merged.contains("run_dir")) merged["run_dir"] = "runs/retrain";
  if (!merged.contains("keep_checkpoints")) merged["keep_checkpoints"] = averageLast;
  RetrainOptions o;
  o.averageLast = averageLast;
  o.overrides = overrides;
  o.training = TrainingOptions::fromJson(JsonReader(merged, source, path));
  // Retraining trains one fixed subnet: the supernet's sampling rule and reference subnets do not
  // apply.
  o.training.sampling = "uniform";
  if (o.training.keepCheckpoints < o.averageLast)
    JsonReader(merged, source, path)
        .fail("keep_checkpoints", "must be >= retrain.average_last (" + std::to_string(o.averageLast) + ")");
  return o;
}

}  // namespace

RetrainOptions RetrainOptions::fromJson(const JsonReader& r, const nlohmann::json& trainingSection) {
  r.rejectUnknownKeys({"average_last", "training"});
  const int averageLast = static_cast<int>(r.getInt("average_last", 5));
  if (averageLast < 1) r.fail("average_last", "must be >= 1");
  nlohmann::json overrides = nlohmann::json::object();
  if (r.has("training")) {
    overrides = r.raw("training");
    if (!overrides.is_object()) r.fail("training", "expected an object of training fields, got " + describeJson(overrides));
  }
  return build(averageLast, overrides, trainingSection, r.source(), r.fieldPath("training"));
}

RetrainOptions RetrainOptions::defaults(const nlohmann::json& trainingSection) {
  return build(5, nlohmann::json::object(), trainingSection, "project", "retrain.training");
}

nlohmann::json RetrainOptions::toJson() const {
  return {{"average_last", averageLast}, {"training", overrides}};
}

}  // namespace automoe
