#include "search/search_history.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <sstream>

#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/file_write_error.h"
#include "util/json_reader.h"

namespace automoe {

namespace {

// The header fields that must agree for a resume (the generation count may grow).
nlohmann::json comparable(const nlohmann::json& header, const char* field) {
  nlohmann::json v = header.value(field, nlohmann::json());
  if (std::string(field) == "search" && v.is_object()) v.erase("generations");
  return v;
}

// "field.key: <old> in the history, <new> now" for the first difference.
std::string firstDifference(const std::string& field, const nlohmann::json& old, const nlohmann::json& now) {
  if (old.is_object() && now.is_object()) {
    for (const auto& [k, v] : old.items())
      if (!now.contains(k) || now.at(k) != v) return firstDifference(field + "." + k, v, now.value(k, nlohmann::json()));
    for (const auto& [k, v] : now.items())
      if (!old.contains(k)) return firstDifference(field + "." + k, nlohmann::json(), v);
  }
  return "field '" + field + "': " + old.dump() + " in the history, " + now.dump() + " now";
}

}  // namespace

nlohmann::json SearchHistory::makeHeader(uint64_t seed, const nlohmann::json& provenance, const nlohmann::json& search,
                                         const nlohmann::json& searchSpace, const nlohmann::json& fitness) {
  return {{"kind", "header"}, {"format_version", kFormatVersion}, {"seed", seed}, {"provenance", provenance},
          {"search", search}, {"search_space", searchSpace},      {"fitness", fitness}};
}

SearchHistory::SearchHistory(SearchHistory&& o) noexcept
    : m_lock(std::move(o.m_lock)),
      m_path(std::move(o.m_path)),
      m_header(std::move(o.m_header)),
      m_candidates(std::move(o.m_candidates)),
      m_generations(std::move(o.m_generations)),
      m_droppedTruncated(o.m_droppedTruncated),
      m_file(o.m_file) {
  o.m_file = nullptr;
}

SearchHistory::~SearchHistory() {
  if (m_file) std::fclose(m_file);
}

void SearchHistory::read(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  int lineNo = 0;
  size_t consumed = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    const bool complete = !in.eof();  // a final line without '\n' was cut off mid-write
    consumed += line.size() + (complete ? 1 : 0);
    const std::string where = m_path + ":" + std::to_string(lineNo);
    nlohmann::json j;
    try {
      if (!complete) throw ConfigError("incomplete");
      j = parseJsonText(line, where);
    } catch (const ConfigError&) {
      if (consumed >= text.size() && lineNo > 1) {  // only the last line may be cut off
        m_droppedTruncated = true;
        break;
      }
      throw ConfigError(where + ": not a complete JSON line (the file is damaged; --fresh starts over)");
    }
    const std::string kind = valueOr(j, "kind", "");
    if (lineNo == 1) {
      if (kind != "header" || valueOr(j, "format_version", int64_t{0}) != kFormatVersion)
        throw ConfigError(where + ": not a search history header (format_version " + std::to_string(kFormatVersion) +
                          " expected)");
      m_header = j;
    } else if (kind == "candidate") {
      SearchCandidate c = SearchCandidate::fromJson(j, where);
      if (c.id != static_cast<int>(m_candidates.size()))
        throw ConfigError(where + ": field 'id': expected " + std::to_string(m_candidates.size()) + ", got " +
                          std::to_string(c.id));
      m_candidates.push_back(std::move(c));
    } else if (kind == "generation") {
      m_generations.push_back(GenerationReport::fromJson(j, where));
    } else {
      throw ConfigError(where + ": field 'kind': unknown line kind \"" + kind + "\"");
    }
  }
  if (m_header.is_null()) throw ConfigError(m_path + ": empty search history");
}

SearchHistory SearchHistory::load(const std::string& path) {
  SearchHistory h;
  h.m_path = path;
  h.read(readTextFile(path));
  return h;
}

SearchHistory SearchHistory::open(const std::string& path, const nlohmann::json& header, bool fresh) {
  SearchHistory h;
  h.m_path = path;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  h.m_lock = std::make_unique<RunLock>(RunLock::forFile(path), path);  // before reading: another may be writing
  if (fresh || !std::filesystem::exists(path)) {
    h.m_header = header;
    writeFileAtomically(path, header.dump() + "\n");
  } else {
    h.read(readTextFile(path));
    for (const char* f : {"format_version", "seed", "search", "search_space", "fitness"}) {
      if (comparable(h.m_header, f) == comparable(header, f)) continue;
      throw ConfigError(path + ": this search history was made with other settings (" +
                        firstDifference(f, comparable(h.m_header, f), comparable(header, f)) +
                        "); run with --fresh to start a new search, or move the file away");
    }
    h.m_header = header;
    if (h.m_droppedTruncated) {  // rewrite without the cut-off line before appending
      std::string text = readTextFile(path);
      text.erase(text.find_last_of('\n') + 1);
      writeFileAtomically(path, text);
    }
  }
  h.m_file = std::fopen(path.c_str(), "ab");
  if (!h.m_file) throw ConfigError(path + ": cannot open for appending");
  return h;
}

ArchConfig SearchHistory::findCandidate(const std::string& path, int id) {
  const SearchHistory h = load(path);
  if (id < 0 || id >= static_cast<int>(h.m_candidates.size()))
    throw ConfigError(path + ": no candidate " + std::to_string(id) + " (the history has " +
                      std::to_string(h.m_candidates.size()) + ")");
  return h.m_candidates[id].arch;
}

bool SearchHistory::hasGeneration(int g) const {
  for (const auto& r : m_generations)
    if (r.generation == g) return true;
  return false;
}

void SearchHistory::writeLine(const nlohmann::json& j, bool sync) {
  if (!m_file) throw std::logic_error("SearchHistory: not opened for appending");
  const std::string line = j.dump() + "\n";
  if (std::fwrite(line.data(), 1, line.size(), m_file) != line.size() || std::fflush(m_file) != 0)
    throw FileWriteError(m_path + ": cannot append a line: " + std::strerror(errno));
  if (sync) ::fsync(fileno(m_file));
}

void SearchHistory::append(const SearchCandidate& c) {
  if (c.id != static_cast<int>(m_candidates.size()))
    throw std::logic_error("SearchHistory: candidate ids must be appended in order");
  writeLine(c.toJson(), false);
  m_candidates.push_back(c);
}

void SearchHistory::append(const GenerationReport& g) {
  writeLine(g.toJson(), true);
  m_generations.push_back(g);
}

}  // namespace automoe
