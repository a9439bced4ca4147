#include "pipeline/pipeline_state.h"

#include <filesystem>

#include "data/fingerprint.h"
#include "pipeline/file_stamp.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/json_reader.h"

namespace automoe {

PipelineState PipelineState::load(const std::string& path) {
  PipelineState s;
  s.m_path = path;
  s.m_json = {{"format_version", kFormatVersion}, {"stages", nlohmann::json::object()}};
  if (!std::filesystem::exists(path)) return s;
  const nlohmann::json j = parseJsonText(readTextFile(path), path);
  if (!j.is_object() || valueOr(j, "format_version", int64_t{0}) != kFormatVersion || !j.contains("stages") ||
      !j["stages"].is_object())
    throw ConfigError(path + ": not a pipeline state file of this version (move it away to start the "
                             "pipeline's bookkeeping over; the stages' own outputs are kept)");
  for (const auto& [name, st] : j["stages"].items())
    if (!st.is_object() || !st.contains("fingerprint") || !st["fingerprint"].is_string())
      throw ConfigError(path + ": field 'stages." + name + ".fingerprint': missing or not a string");
    else if (st.contains("done") && !st["done"].is_boolean())
      throw ConfigError(path + ": field 'stages." + name + ".done': not true or false");
    else if (st.contains("outputs") && !st["outputs"].is_object())
      throw ConfigError(path + ": field 'stages." + name + ".outputs': not an object");
  s.m_json = j;
  return s;
}

PipelineState PipelineState::read(const std::string& path) {
  PipelineState s = load(path);
  s.m_readOnly = true;
  return s;
}

PipelineState::Status PipelineState::status(const std::string& stage, const std::string& fingerprint) const {
  const auto& stages = m_json["stages"];
  if (!stages.contains(stage)) return Status::NotStarted;
  const auto& st = stages[stage];
  if (st["fingerprint"] != fingerprint) return Status::Changed;
  return st.value("done", false) ? Status::Done : Status::Interrupted;
}

void PipelineState::markStarted(const std::string& stage, const std::string& fingerprint) {
  m_json["stages"][stage] = {{"fingerprint", fingerprint}, {"done", false}, {"started_at", utcTimestamp()}};
  save();
}

void PipelineState::markDone(const std::string& stage, const std::string& fingerprint, const nlohmann::json& outputs) {
  auto& st = m_json["stages"][stage];
  st["fingerprint"] = fingerprint;
  st["done"] = true;
  st["finished_at"] = utcTimestamp();
  st["outputs"] = outputs;
  save();
}

nlohmann::json PipelineState::outputs(const std::string& stage) const {
  const auto& stages = m_json["stages"];
  if (!stages.contains(stage) || !stages[stage].value("done", false)) return nullptr;
  return stages[stage].value("outputs", nlohmann::json());
}

std::string PipelineState::changedFile(const std::string& stage, const std::string& key, const std::string& baseDir) {
  auto& stages = m_json["stages"];
  if (!stages.contains(stage) || !stages[stage].value("done", false)) return {};
  auto& outputs = stages[stage]["outputs"];
  if (!outputs.is_object() || !outputs.contains(key) || !outputs[key].is_object()) return {};
  std::string changed;
  bool moved = false;  // a stamp took a new time
  for (auto& [path, stamp] : outputs[key].items()) {
    const nlohmann::json before = stamp;
    const std::filesystem::path file = std::filesystem::path(baseDir) / path;  // `path` if absolute
    if (!FileStamp::unchanged(stamp, file.string())) {
      changed = file.lexically_normal().string();
      break;
    }
    moved = moved || stamp != before;
  }
  if (moved) save();
  return changed;
}

void PipelineState::save() const {
  if (m_readOnly) return;
  std::filesystem::create_directories(std::filesystem::path(m_path).parent_path());
  writeFileAtomically(m_path, m_json.dump(2) + "\n");
}

}  // namespace automoe
