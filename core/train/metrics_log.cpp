#include "train/metrics_log.h"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "util/atomic_file.h"

namespace automoe {

int64_t trimMetricsLog(const std::string& path, int64_t step) {
  if (!std::filesystem::exists(path)) return 0;
  std::ifstream in(path, std::ios::binary);
  std::string kept, line;
  int64_t dropped = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    const bool keep = j.is_object() && j.contains("step") && j.at("step").is_number_integer() &&
                      j.at("step").get<int64_t>() <= step;
    if (keep) kept += line + '\n';
    else ++dropped;
  }
  if (dropped > 0) writeFileAtomically(path, kept);
  return dropped;
}

}  // namespace automoe
