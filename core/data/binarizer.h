#pragma once
// Token-id shards: <prefix>.bin holds every sentence's ids as little-endian int32, concatenated;
// <prefix>.idx holds n + 1 int64 offsets (in tokens; first 0, last = total). TokenDataset maps
// them back. No BOS/EOS is stored: collation appends EOS.
#include <cstdint>
#include <string>
#include <vector>

namespace automoe {

class StopToken;
class TokenizerClient;

struct ShardStats {
  int64_t sentences = 0;
  int64_t tokens = 0;
  int64_t maxLength = 0;
  int64_t unknown = 0;  // ids equal to <unk>
};

class Binarizer {
 public:
  static constexpr size_t kChunkLines = 20000;  // lines per tokenizer call

  // Encodes a text file (one sentence per line) into <prefix>.bin/.idx.
  static ShardStats binarizeFile(const TokenizerClient& tokenizer, const std::string& textPath,
                                 const std::string& prefix, const StopToken& stop);
  static ShardStats writeShard(const std::string& prefix,
                               const std::vector<std::vector<int32_t>>& sentences);
};

}  // namespace automoe
