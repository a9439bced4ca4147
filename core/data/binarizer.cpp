#include "data/binarizer.h"

#include <algorithm>
#include <stdexcept>

#include "data/special_ids.h"
#include "data/tokenizer_client.h"
#include "util/atomic_file.h"
#include "util/stop_token.h"

namespace automoe {

namespace {

void append(std::string& out, const void* data, size_t bytes) {
  out.append(static_cast<const char*>(data), bytes);
}

}  // namespace

ShardStats Binarizer::writeShard(const std::string& prefix,
                                 const std::vector<std::vector<int32_t>>& sentences) {
  static_assert(sizeof(int32_t) == 4 && sizeof(int64_t) == 8);
  ShardStats s;
  std::string bin, idx;
  int64_t offset = 0;
  append(idx, &offset, sizeof offset);
  for (const auto& ids : sentences) {
    append(bin, ids.data(), ids.size() * sizeof(int32_t));
    offset += static_cast<int64_t>(ids.size());
    append(idx, &offset, sizeof offset);
    s.maxLength = std::max<int64_t>(s.maxLength, static_cast<int64_t>(ids.size()));
    for (int32_t id : ids) s.unknown += id == special_ids::kUnk;
  }
  s.sentences = static_cast<int64_t>(sentences.size());
  s.tokens = offset;
  writeFileAtomically(prefix + ".bin", bin);
  writeFileAtomically(prefix + ".idx", idx);
  return s;
}

ShardStats Binarizer::binarizeFile(const TokenizerClient& tokenizer, const std::string& textPath,
                                   const std::string& prefix, const StopToken& stop) {
  const std::vector<std::string> lines = readTextLines(textPath);
  std::vector<std::vector<int32_t>> ids;
  ids.reserve(lines.size());
  for (size_t start = 0; start < lines.size(); start += kChunkLines) {
    if (stop.stopRequested()) throw std::runtime_error("stopped");
    const size_t end = std::min(lines.size(), start + kChunkLines);
    auto chunk = tokenizer.encode(std::vector<std::string>(lines.begin() + static_cast<long>(start),
                                                           lines.begin() + static_cast<long>(end)));
    for (auto& c : chunk) ids.push_back(std::move(c));
  }
  return writeShard(prefix, ids);
}

}  // namespace automoe
