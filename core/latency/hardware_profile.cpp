#include "latency/hardware_profile.h"

#include <set>

#include <nlohmann/json.hpp>

#include "util/config_error.h"
#include "util/json_reader.h"

namespace automoe {

HardwareProfile HardwareProfile::fromJson(const JsonReader& r) {
  r.rejectUnknownKeys({"name", "device", "threads", "batch_size", "src_len", "tgt_len", "beam",
                       "warmup", "runs", "timer", "protocol", "drift_reference"});
  HardwareProfile p;
  p.name = r.getString("name");
  if (p.name.empty()) r.fail("name", "must not be empty");
  for (char c : p.name)
    if (c == '/' || c == '\\' || c == '\0' || c == '\n')
      r.fail("name", "must not contain '/', '\\' or control characters (it names files)");
  p.device = r.getString("device", p.device);
  if (p.device != "cpu" && p.device != "cuda")
    r.fail("device", "must be \"cpu\" or \"cuda\", got \"" + p.device + "\"");
  auto positive = [&](const char* key, int fallback, int max) {
    const int64_t v = r.getInt(key, fallback);
    if (v < 1 || v > max)
      r.fail(key, "must be in [1, " + std::to_string(max) + "], got " + std::to_string(v));
    return static_cast<int>(v);
  };
  p.threads = positive("threads", p.threads, 1024);
  p.batchSize = positive("batch_size", p.batchSize, 4096);
  p.srcLen = positive("src_len", p.srcLen, 100000);
  p.tgtLen = positive("tgt_len", p.tgtLen, 100000);
  p.beam = positive("beam", p.beam, 1024);
  const int64_t warmup = r.getInt("warmup", p.warmup);
  if (warmup < 0 || warmup > 100000) r.fail("warmup", "must be in [0, 100000]");
  p.warmup = static_cast<int>(warmup);
  p.runs = positive("runs", p.runs, 100000);
  p.timer = r.getString("timer", p.timer);
  if (p.timer != "wall" && p.timer != "thread_cpu")
    r.fail("timer", "must be \"wall\" or \"thread_cpu\", got \"" + p.timer + "\"");
  if (p.timer == "thread_cpu" && (p.threads != 1 || p.device != "cpu"))
    r.fail("timer", "\"thread_cpu\" measures one CPU thread: it needs device \"cpu\" and threads 1");
  p.protocol = r.getString("protocol", p.protocol);
  if (p.protocol != "beam_search" && p.protocol != "automoe")
    r.fail("protocol", "must be \"beam_search\" or \"automoe\", got \"" + p.protocol + "\"");
  p.driftReference = r.getBool("drift_reference", p.driftReference);
  return p;
}

nlohmann::json HardwareProfile::toJson() const {
  return {{"name", name},       {"device", device},   {"threads", threads},
          {"batch_size", batchSize}, {"src_len", srcLen}, {"tgt_len", tgtLen},
          {"beam", beam},       {"warmup", warmup},   {"runs", runs},
          {"timer", timer},     {"protocol", protocol}, {"drift_reference", driftReference}};
}

bool HardwareProfile::operator==(const HardwareProfile& o) const {
  return name == o.name && device == o.device && threads == o.threads &&
         batchSize == o.batchSize && srcLen == o.srcLen && tgtLen == o.tgtLen && beam == o.beam &&
         warmup == o.warmup && runs == o.runs && timer == o.timer &&
         protocol == o.protocol && driftReference == o.driftReference;
}

std::string HardwareProfile::fileStem() const {
  std::string s;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    s += ok ? c : '_';
  }
  return s.empty() || s[0] == '.' ? "_" + s : s;
}

std::vector<HardwareProfile> hardwareProfilesFromJson(const JsonReader& project, const char* key) {
  if (!project.has(key)) return defaultHardwareProfiles();
  const nlohmann::json& list = project.raw(key);
  if (!list.is_array() || list.empty())
    project.fail(key, "expected a non-empty list of hardware profile objects");
  const JsonReader lr(list, project.source(), project.fieldPath(key));
  std::vector<HardwareProfile> out;
  std::set<std::string> names;
  for (size_t i = 0; i < list.size(); ++i) {
    const JsonReader e = lr.element(i);
    HardwareProfile p = HardwareProfile::fromJson(e);
    if (!names.insert(p.name).second) e.fail("name", "profile \"" + p.name + "\" is defined twice");
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<HardwareProfile> defaultHardwareProfiles() { return {HardwareProfile{}}; }

std::string hardwareProfileNames(const std::vector<HardwareProfile>& profiles) {
  std::string names;
  for (const auto& p : profiles) names += (names.empty() ? "" : ", ") + p.name;
  return names;
}

const HardwareProfile& findHardwareProfile(const std::vector<HardwareProfile>& profiles,
                                           const std::string& name, const std::string& source) {
  if (profiles.empty()) throw ConfigError(source + ": the project defines no hardware profile");
  if (name.empty()) return profiles.front();
  for (const auto& p : profiles)
    if (p.name == name) return p;
  throw ConfigError(source + ": field 'hardware_profiles': no profile named \"" + name +
                    "\" (known: " + hardwareProfileNames(profiles) + ")");
}

}  // namespace automoe
