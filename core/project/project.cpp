#include "project/project.h"

#include <algorithm>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/json_reader.h"

namespace automoe {

std::string Project::fileAt(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) return path;
  const std::string file = (std::filesystem::path(path) / "project.json").string();
  if (!std::filesystem::is_regular_file(file, ec))
    throw ConfigError(path + ": a folder without a project.json (give the project file or the folder that holds it)");
  return file;
}

Project Project::load(const std::string& path) {
  const std::string file = fileAt(path);
  const nlohmann::json j = parseJsonText(readTextFile(file), file);
  Project p = fromJson(j, file);
  p.path = file;
  return p;
}

Project Project::fromJson(const nlohmann::json& j, const std::string& source) {
  JsonReader r(j, source);
  r.rejectUnknownKeys({"format_version", "name", "description", "seed", "search_space", "model",
                       "data", "training", "retrain", "hardware_profiles", "latency", "evaluation", "search"});
  const int64_t version = r.getInt("format_version");
  if (version != kFormatVersion)
    r.fail("format_version", "unsupported version " + std::to_string(version) +
                                 " (this build reads " + std::to_string(kFormatVersion) + ")");
  Project p;
  p.name = r.getString("name");
  p.description = r.getString("description", "");
  const int64_t seed = r.getInt("seed", 1);
  if (seed < 0) r.fail("seed", "must be >= 0");
  p.seed = static_cast<uint64_t>(seed);
  p.space = SearchSpace::fromJson(r.raw("search_space"), source, "search_space");
  p.model = r.has("model") ? ModelOptions::fromJson(r.child("model")) : ModelOptions{};
  p.model.checkLayerRouting(p.space.encoder.maxLayers(), p.space.decoder.maxLayers());
  p.data = r.has("data") ? DataOptions::fromJson(r.child("data"), p.model, p.seed)
                         : DataOptions::defaults(p.model, p.seed);
  if (r.has("training")) p.training = TrainingOptions::fromJson(r.child("training"));  // else the defaults
  const nlohmann::json trainingSection = r.has("training") ? r.raw("training") : nlohmann::json();
  p.retrain = r.has("retrain") ? RetrainOptions::fromJson(r.child("retrain"), trainingSection)
                               : RetrainOptions::defaults(trainingSection);
  p.hardwareProfiles = hardwareProfilesFromJson(r, "hardware_profiles");
  p.latency = r.has("latency") ? LatencyOptions::fromJson(r.child("latency"), p.seed)
                               : LatencyOptions::defaults(p.seed);
  if (r.has("evaluation")) p.evaluation = EvaluationOptions::fromJson(r.child("evaluation"));
  p.search = r.has("search") ? SearchOptions::fromJson(r.child("search"), p.seed)
                             : SearchOptions::defaults(p.seed);
  const auto named = [&](const HardwareProfile& h) { return h.name == p.search.profile; };
  if (!p.search.profile.empty() && std::none_of(p.hardwareProfiles.begin(), p.hardwareProfiles.end(), named)) {
    r.child("search").fail("profile", "no hardware profile named \"" + p.search.profile +
                                          "\" (known: " + hardwareProfileNames(p.hardwareProfiles) + ")");
  }
  return p;
}

nlohmann::json Project::toJson() const {
  nlohmann::json profiles = nlohmann::json::array();
  for (const auto& h : hardwareProfiles) profiles.push_back(h.toJson());
  return {{"format_version", kFormatVersion}, {"name", name},
          {"description", description},       {"seed", seed},
          {"search_space", space.toJson()},   {"model", model.toJson()},
          {"data", data.toJson()},            {"training", training.toJson()},
          {"retrain", retrain.toJson()},
          {"hardware_profiles", profiles},    {"latency", latency.toJson()},
          {"evaluation", evaluation.toJson()},
          {"search", search.toJson()}};
}

std::string Project::directory() const {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string Project::resolvePath(const std::string& relative) const {
  if (!relative.empty() && relative[0] == '/') return relative;
  return directory() + "/" + relative;
}

}  // namespace automoe
