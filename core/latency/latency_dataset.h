#pragma once
// A latency dataset file (JSON lines): a header line with what was measured and how (profile,
// sampling seed, search space, model options, feature names, versions), then one line per
// measured subnet, appended and flushed to disk as soon as it is measured. A stopped or killed run
// loses at most the line being written: on opening, an unterminated last line is dropped (and cut
// from the file before the next append).
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "latency/latency_sample.h"
#include "util/run_lock.h"

namespace automoe {

class LatencyDataset {
 public:
  // Opens `path` for measuring under `header` (see makeHeader): creates the file (and its
  // directory) with the header, or loads it and checks that it was measured under the same
  // profile, space, model and seed (ConfigError naming the file and the differing field). The
  // file is this object's alone while it lives (RunLock: ConfigError if another has it).
  static LatencyDataset open(const std::string& path, const nlohmann::json& header);
  // Reads an existing file (ConfigError when it is missing or malformed).
  static LatencyDataset load(const std::string& path);

  // The header for a dataset of `space` under `profile`: also records the versions and the
  // feature names. `model` holds the supernet's model options as JSON.
  static nlohmann::json makeHeader(const nlohmann::json& profile, const nlohmann::json& space,
                                   const nlohmann::json& model, uint64_t seed,
                                   const std::vector<std::string>& featureNames);

  // Writes one line and syncs it to disk. Throws std::runtime_error on I/O failure.
  void append(const LatencySample& sample);

  bool contains(const std::vector<int>& genes) const { return m_genes.count(genes) > 0; }
  const std::vector<LatencySample>& samples() const { return m_samples; }
  const nlohmann::json& header() const { return m_header; }
  std::vector<std::string> featureNames() const;
  const std::string& path() const { return m_path; }
  bool droppedTruncatedLine() const { return m_droppedTruncated; }

 private:
  void readFile();

  std::shared_ptr<RunLock> m_lock;  // while open for appending (this object and its copies)
  std::string m_path;
  nlohmann::json m_header;
  std::vector<LatencySample> m_samples;
  std::set<std::vector<int>> m_genes;
  size_t m_validBytes = 0;  // bytes up to the end of the last complete line
  bool m_droppedTruncated = false;
};

}  // namespace automoe
