#include "util/option_changes.h"

#include <nlohmann/json.hpp>

namespace automoe {

namespace {

std::string shortDump(const nlohmann::json& v) {
  std::string s = v.dump();
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

void collect(const nlohmann::json& saved, const nlohmann::json& now, const std::string& prefix,
             bool listUnset, std::string& out) {
  auto add = [&](const std::string& key, const std::string& from, const nlohmann::json& to) {
    out += (out.empty() ? "" : ", ") + prefix + key + " " + from + " -> " + shortDump(to);
  };
  for (const auto& kv : now.items()) {
    if (!saved.contains(kv.key())) {
      if (listUnset) add(kv.key(), "(unset)", kv.value());
      continue;
    }
    const nlohmann::json& was = saved.at(kv.key());
    if (was == kv.value()) continue;
    if (was.is_object() && kv.value().is_object())
      collect(was, kv.value(), prefix + kv.key() + ".", listUnset, out);
    else
      add(kv.key(), shortDump(was), kv.value());
  }
  if (!listUnset) return;
  for (const auto& kv : saved.items())
    if (!now.contains(kv.key())) out += (out.empty() ? "" : ", ") + prefix + kv.key() + " " + shortDump(kv.value()) + " -> (unset)";
}

}  // namespace

std::string changedOptions(const nlohmann::json& saved, const nlohmann::json& now, bool listUnset) {
  std::string out;
  if (saved.is_object() && now.is_object()) collect(saved, now, "", listUnset, out);
  return out;
}

}  // namespace automoe
