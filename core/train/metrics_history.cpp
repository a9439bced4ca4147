#include "train/metrics_history.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "util/json_reader.h"

namespace automoe {

namespace {

bool isNumber(const nlohmann::json& j, const char* key) { return j.contains(key) && j.at(key).is_number(); }

bool readStep(const nlohmann::json& j, TrainStepStats& s) {
  if (!isNumber(j, "loss") || !isNumber(j, "lr")) return false;
  s.step = j.at("step").get<int64_t>();
  s.lr = j.at("lr").get<double>();
  s.loss = j.at("loss").get<double>();
  s.nll = valueOr(j, "nll", 0.0);
  s.auxLoss = valueOr(j, "aux", 0.0);
  s.secondsPerUpdate = valueOr(j, "seconds_per_update", 0.0);
  s.targetTokensPerSecond = valueOr(j, "target_tokens_per_second", 0.0);
  s.droppedTokens = valueOr(j, "dropped_tokens", int64_t{0});
  s.skippedSteps = valueOr(j, "skipped_steps", int64_t{0});
  s.arch = valueOr(j, "arch", "");
  s.expertLoadEncoderRows = valueOr(j, "expert_load_encoder_rows", int64_t{-1});  // -1: not logged
  if (j.contains("expert_load") && j.at("expert_load").is_array()) {
    try {
      s.expertLoad = j.at("expert_load").get<std::vector<std::vector<double>>>();
    } catch (const nlohmann::json::exception&) {
      return false;
    }
  }
  return true;
}

bool readValidation(const nlohmann::json& j, ValidationStats& v) {
  if (!j.contains("subnets") || !j.at("subnets").is_array()) return false;
  v.step = j.at("step").get<int64_t>();
  for (const auto& e : j.at("subnets")) {
    if (!e.is_object() || !isNumber(e, "loss") || !e.contains("name") || !e.at("name").is_string()) return false;
    v.subnets.push_back({e.at("name").get<std::string>(), e.at("loss").get<double>(), valueOr(e, "nll", 0.0),
                         valueOr(e, "tokens", int64_t{0})});
  }
  return true;
}

}  // namespace

MetricsHistory readMetricsHistory(const std::string& path) {
  MetricsHistory h;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    const std::string type = valueOr(j, "type", "");
    bool ok = j.is_object() && j.contains("step") && j.at("step").is_number_integer();
    if (ok && type == "train") {
      TrainStepStats s;
      ok = readStep(j, s);
      if (ok) h.steps.push_back(std::move(s));
    } else if (ok && type == "valid") {
      ValidationStats v;
      ok = readValidation(j, v);
      if (ok) h.validations.push_back(std::move(v));
    } else {
      ok = false;
    }
    if (!ok) ++h.skippedLines;
  }
  return h;
}

}  // namespace automoe
