#include "pipeline/trial_project.h"

#include <algorithm>
#include <filesystem>

namespace automoe {

namespace {

// Lowers j[key] to at most `cap` (sets it when absent).
void cap(nlohmann::json& j, const char* key, int64_t limit) {
  if (!j.is_object()) j = nlohmann::json::object();
  if (!j.contains(key) || !j[key].is_number() || j[key].get<double>() > static_cast<double>(limit)) j[key] = limit;
}

}  // namespace

std::string trialProjectPath(const std::string& projectDir) { return projectDir + "/runs/trial/project.json"; }

nlohmann::json trialProject(const nlohmann::json& projectJson, const std::string& projectDir) {
  nlohmann::json p = projectJson;
  p["name"] = p.value("name", std::string("project")) + " (trial)";
  // Shared data: resolve the data folder against the original project directory.
  // So are its local source folders (DDTP indexes, help pages), when given.
  auto absolute = [&](const std::string& path) {
    return std::filesystem::absolute(std::filesystem::path(projectDir) / path).lexically_normal().string();
  };
  p["data"]["dir"] = absolute(p["data"].value("dir", std::string("data")));
  for (const char* key : {"ddtp_dir", "help_dir"})
    if (p["data"].contains(key) && p["data"][key].is_string() && !p["data"][key].get<std::string>().empty())
      p["data"][key] = absolute(p["data"][key].get<std::string>());

  auto& t = p["training"];
  cap(t, "max_updates", 120);
  cap(t, "validate_every", 60);
  cap(t, "checkpoint_every", 60);
  cap(t, "log_every", 20);
  cap(t, "valid_batches", 4);
  cap(t, "reference_subnets", 1);
  if (t.contains("lr")) cap(t["lr"], "warmup_updates", 20);

  for (auto& h : p["hardware_profiles"]) {
    cap(h, "warmup", 1);
    cap(h, "runs", 3);
  }
  auto& lat = p["latency"];
  cap(lat, "dataset_samples", 40);
  if (lat.contains("predictor")) cap(lat["predictor"], "steps", 800);

  auto& s = p["search"];
  if (!s.is_object() || !s.contains("population") || s["population"].get<double>() > 15) {
    // AutoMoE's 1 : 2 : 2 split of parents, mutations and crossovers.
    s["population"] = 15;
    s["parents"] = 3;
    s["mutations"] = 6;
    s["crossovers"] = 6;
  }
  cap(s, "generations", 3);
  cap(s, "valid_batches", 2);

  auto& r = p["retrain"];
  if (!r.is_object()) r = nlohmann::json::object();
  cap(r, "average_last", 2);
  auto& rt = r["training"];
  cap(rt, "max_updates", 120);
  cap(rt, "checkpoint_every", 30);
  cap(rt, "validate_every", 60);
  cap(rt, "log_every", 20);
  if (!rt.contains("lr") && t.contains("lr")) rt["lr"] = t["lr"];
  if (rt.contains("lr")) cap(rt["lr"], "warmup_updates", 20);
  cap(rt, "keep_checkpoints", r["average_last"].get<int64_t>());

  auto& e = p["evaluation"];
  if (!e.is_object()) e = nlohmann::json::object();
  if (e.value("max_sentences", 0) <= 0) e["max_sentences"] = 100;  // 0 = the whole split
  cap(e, "max_sentences", 100);
  return p;
}

}  // namespace automoe
