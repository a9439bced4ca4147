#pragma once
// history.jsonl of a search run (format: /work/helper_contract.md). The first line is a header
// (format version, seed, provenance, search options, search space, and what the fitness is
// measured with); then one line per evaluated candidate, appended and flushed as soon as it is
// evaluated, and one line per finished generation (the file is synced to disk there). A process
// killed mid-write leaves at most an incomplete last line, which open() drops.
//
// Resume: open() on an existing file compares its header with the new run's (every field but
// provenance and the number of generations, so a finished search can be extended); a mismatch is
// a ConfigError saying what differs and that --fresh starts over. EvolutionarySearch replays the
// stored candidates instead of evaluating them again.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "search/generation_report.h"
#include "search/search_candidate.h"

#include "util/run_lock.h"

namespace automoe {

class SearchHistory {
 public:
  static constexpr int kFormatVersion = 1;

  static nlohmann::json makeHeader(uint64_t seed, const nlohmann::json& provenance, const nlohmann::json& search,
                                   const nlohmann::json& searchSpace, const nlohmann::json& fitness);

  // For appending. Creates the file with `header` when it is missing or `fresh`; otherwise reads
  // it back and checks the header (ConfigError naming the path and the differing field). The
  // history is this object's alone while it lives (RunLock: ConfigError if another has it).
  static SearchHistory open(const std::string& path, const nlohmann::json& header, bool fresh);
  // Read-only. ConfigError naming the path and line when the file is missing or malformed.
  static SearchHistory load(const std::string& path);
  // The architecture of candidate `id` of the history at `path` (ConfigError if absent).
  static ArchConfig findCandidate(const std::string& path, int id);

  SearchHistory(SearchHistory&& other) noexcept;
  SearchHistory& operator=(SearchHistory&&) = delete;
  ~SearchHistory();

  void append(const SearchCandidate& c);
  void append(const GenerationReport& g);

  const std::string& path() const { return m_path; }
  const nlohmann::json& header() const { return m_header; }
  const std::vector<SearchCandidate>& candidates() const { return m_candidates; }
  const std::vector<GenerationReport>& generations() const { return m_generations; }
  bool hasGeneration(int g) const;
  bool droppedTruncatedLine() const { return m_droppedTruncated; }

 private:
  SearchHistory() = default;
  void read(const std::string& text);
  void writeLine(const nlohmann::json& j, bool sync);

  std::unique_ptr<RunLock> m_lock;  // while open for appending
  std::string m_path;
  nlohmann::json m_header;
  std::vector<SearchCandidate> m_candidates;
  std::vector<GenerationReport> m_generations;
  bool m_droppedTruncated = false;
  std::FILE* m_file = nullptr;  // open for appending (open() only)
};

}  // namespace automoe
