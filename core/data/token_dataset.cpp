#include "data/token_dataset.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "util/config_error.h"

namespace automoe {

TokenDataset::Mapping TokenDataset::map(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw ConfigError(path + ": cannot open (" + std::strerror(errno) + ")");
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw ConfigError(path + ": cannot stat");
  }
  Mapping m;
  m.bytes = static_cast<size_t>(st.st_size);
  if (m.bytes > 0) {
    m.base = ::mmap(nullptr, m.bytes, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m.base == MAP_FAILED) {
      ::close(fd);
      throw ConfigError(path + ": cannot map (" + std::strerror(errno) + ")");
    }
  }
  ::close(fd);
  return m;
}

TokenDataset TokenDataset::open(const std::string& binDir, const std::string& split) {
  TokenDataset d;
  const std::string names[4] = {".src.bin", ".src.idx", ".tgt.bin", ".tgt.idx"};
  for (int i = 0; i < 4; ++i) d.m_maps[i] = map(binDir + "/" + split + names[i]);
  size_t sizes[2];
  for (int side = 0; side < 2; ++side) {
    const Mapping& bin = d.m_maps[2 * side];
    const Mapping& idx = d.m_maps[2 * side + 1];
    const std::string idxPath = binDir + "/" + split + names[2 * side + 1];
    if (idx.bytes < sizeof(int64_t) || idx.bytes % sizeof(int64_t) != 0 ||
        bin.bytes % sizeof(int32_t) != 0)
      throw ConfigError(idxPath + ": truncated shard (re-run automoe data prepare)");
    const auto* off = static_cast<const int64_t*>(idx.base);
    sizes[side] = idx.bytes / sizeof(int64_t) - 1;
    if (off[0] != 0 || static_cast<size_t>(off[sizes[side]]) != bin.bytes / sizeof(int32_t))
      throw ConfigError(idxPath + ": offsets do not match the .bin file");
    for (size_t i = 0; i < sizes[side]; ++i)
      if (off[i + 1] < off[i])
        throw ConfigError(idxPath + ": offsets decrease at " + std::to_string(i));
    d.m_offsets[side] = off;
    d.m_ids[side] = static_cast<const int32_t*>(bin.base);
  }
  if (sizes[0] != sizes[1])
    throw ConfigError(binDir + "/" + split + ": source has " + std::to_string(sizes[0]) +
                      " sentences, target " + std::to_string(sizes[1]));
  d.m_size = sizes[0];
  return d;
}

TokenDataset::TokenDataset(TokenDataset&& other) noexcept { *this = std::move(other); }

TokenDataset& TokenDataset::operator=(TokenDataset&& other) noexcept {
  if (this == &other) return *this;
  release();
  for (int i = 0; i < 4; ++i) m_maps[i] = std::exchange(other.m_maps[i], Mapping{});
  for (int i = 0; i < 2; ++i) {
    m_ids[i] = std::exchange(other.m_ids[i], nullptr);
    m_offsets[i] = std::exchange(other.m_offsets[i], nullptr);
  }
  m_size = std::exchange(other.m_size, 0);
  return *this;
}

TokenDataset::~TokenDataset() { release(); }

void TokenDataset::release() {
  for (auto& m : m_maps) {
    if (m.base) ::munmap(m.base, m.bytes);
    m = Mapping{};
  }
}

TokenSpan TokenDataset::source(size_t i) const {
  const int64_t* off = m_offsets[0];
  return {m_ids[0] + off[i], static_cast<size_t>(off[i + 1] - off[i])};
}

TokenSpan TokenDataset::target(size_t i) const {
  const int64_t* off = m_offsets[1];
  return {m_ids[1] + off[i], static_cast<size_t>(off[i + 1] - off[i])};
}

std::vector<int64_t> TokenDataset::lengths() const {
  std::vector<int64_t> out(m_size);
  for (size_t i = 0; i < m_size; ++i)
    out[i] = static_cast<int64_t>(std::max(source(i).size, target(i).size)) + 1;
  return out;
}

void TokenDataset::checkIds(int64_t vocabSize) const {
  for (int side = 0; side < 2; ++side) {
    const size_t n = static_cast<size_t>(m_offsets[side][m_size]);
    for (size_t i = 0; i < n; ++i)
      if (m_ids[side][i] < 0 || m_ids[side][i] >= vocabSize)
        throw ConfigError(std::string(side ? "target" : "source") + " id " +
                          std::to_string(m_ids[side][i]) + " at token " + std::to_string(i) +
                          " is outside the vocabulary of " + std::to_string(vocabSize));
  }
}

}  // namespace automoe
