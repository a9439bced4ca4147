#pragma once
// Read-only, memory-mapped view of one binarised split (<dir>/<split>.{src,tgt}.{bin,idx}, see
// binarizer.h). Opening costs nothing per sentence; pages are read on first use. Torch-free.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace automoe {

struct TokenSpan {
  const int32_t* data = nullptr;
  size_t size = 0;
  const int32_t* begin() const { return data; }
  const int32_t* end() const { return data + size; }
  int32_t operator[](size_t i) const { return data[i]; }
};

class TokenDataset {
 public:
  // Throws ConfigError naming the file when a shard is missing, truncated or inconsistent.
  static TokenDataset open(const std::string& binDir, const std::string& split);

  TokenDataset(TokenDataset&& other) noexcept;
  TokenDataset& operator=(TokenDataset&& other) noexcept;
  TokenDataset(const TokenDataset&) = delete;
  TokenDataset& operator=(const TokenDataset&) = delete;
  ~TokenDataset();

  size_t size() const { return m_size; }
  TokenSpan source(size_t i) const;
  TokenSpan target(size_t i) const;

  // max(source, target) + 1 (for EOS) per sentence: what BatchPlanner packs by.
  std::vector<int64_t> lengths() const;
  // Throws ConfigError if an id is outside [0, vocabSize).
  void checkIds(int64_t vocabSize) const;

 private:
  struct Mapping {
    void* base = nullptr;
    size_t bytes = 0;
  };
  TokenDataset() = default;
  static Mapping map(const std::string& path);
  void release();

  Mapping m_maps[4];  // src.bin, src.idx, tgt.bin, tgt.idx
  const int32_t* m_ids[2] = {nullptr, nullptr};
  const int64_t* m_offsets[2] = {nullptr, nullptr};
  size_t m_size = 0;
};

}  // namespace automoe
