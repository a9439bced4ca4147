#include "latency/latency_dataset.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "latency/provenance.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/file_write_error.h"
#include "util/json_reader.h"

namespace automoe {

namespace {

constexpr int kFormatVersion = 1;

// Header fields that must agree for new measurements to join an existing file. The feature names
// are not among them: features are recomputed from the architecture for training, so a changed
// feature definition does not invalidate measurements.
const char* const kIdentityFields[] = {"profile", "search_space", "model", "seed"};

}  // namespace

nlohmann::json LatencyDataset::makeHeader(const nlohmann::json& profile, const nlohmann::json& space,
                                          const nlohmann::json& model, uint64_t seed,
                                          const std::vector<std::string>& featureNames) {
  return {{"kind", "header"},        {"format_version", kFormatVersion},
          {"profile", profile},      {"search_space", space},
          {"model", model},          {"seed", seed},
          {"feature_names", featureNames}, {"provenance", provenance()}};
}

std::vector<std::string> LatencyDataset::featureNames() const {
  return m_header.at("feature_names").get<std::vector<std::string>>();
}

void LatencyDataset::readFile() {
  const std::string text = readTextFile(m_path);
  size_t pos = 0;
  int line = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) {  // unterminated: the write was cut short
      m_droppedTruncated = true;
      break;
    }
    ++line;
    const std::string where = m_path + ":" + std::to_string(line);
    const std::string body = text.substr(pos, nl - pos);
    pos = nl + 1;
    m_validBytes = pos;
    if (body.find_first_not_of(" \t\r") == std::string::npos) continue;
    const nlohmann::json j = parseJsonText(body, where);
    if (line == 1) {
      const JsonReader r(j, where);
      if (r.getString("kind") != "header") r.fail("kind", "the first line must be the header");
      if (r.getInt("format_version") != kFormatVersion)
        r.fail("format_version", "unsupported version (this build reads " +
                                     std::to_string(kFormatVersion) + ")");
      for (const char* f : kIdentityFields) r.raw(f);
      m_header = j;
      continue;
    }
    LatencySample s = LatencySample::fromJson(j, where);
    m_genes.insert(s.genes);
    m_samples.push_back(std::move(s));
  }
  if (m_header.is_null()) throw ConfigError(m_path + ": no header line (empty or truncated file)");
}

LatencyDataset LatencyDataset::load(const std::string& path) {
  LatencyDataset d;
  d.m_path = path;
  d.readFile();
  return d;
}

LatencyDataset LatencyDataset::open(const std::string& path, const nlohmann::json& header) {
  namespace fs = std::filesystem;
  LatencyDataset d;
  d.m_path = path;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent);
  d.m_lock = std::make_shared<RunLock>(RunLock::forFile(path), path);  // before reading: another may be appending
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  std::string existing;
  if (exists) existing = readTextFile(path);
  if (!exists || existing.find('\n') == std::string::npos) {
    // New (or a header write that never completed): start the file with the header.
    const fs::path dir = fs::path(path).parent_path();
    if (!dir.empty()) fs::create_directories(dir);
    writeFileAtomically(path, header.dump() + "\n");
    d.m_header = header;
    d.m_validBytes = header.dump().size() + 1;
    return d;
  }
  d.readFile();
  for (const char* f : kIdentityFields)
    if (d.m_header.at(f) != header.at(f))
      throw ConfigError(path + ": field '" + f + "' of the existing dataset differs from the " +
                        "current project (it was measured under other settings); move the file " +
                        "away or use another hardware profile name");
  if (d.m_droppedTruncated) fs::resize_file(path, d.m_validBytes);
  return d;
}

void LatencyDataset::append(const LatencySample& sample) {
  const std::string line = sample.toJson().dump() + "\n";
  const int fd = ::open(m_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) throw FileWriteError(m_path + ": cannot append a line: " + std::strerror(errno));
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      throw FileWriteError(m_path + ": cannot append a line: " + why);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const int syncErrno = errno;
  if (::close(fd) != 0 || !synced)
    throw FileWriteError(m_path + ": cannot append a line: flush failed, " + std::strerror(synced ? errno : syncErrno));
  m_validBytes += line.size();
  m_genes.insert(sample.genes);
  m_samples.push_back(sample);
}

}  // namespace automoe
