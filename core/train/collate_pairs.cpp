#include <vector>

#include "model/sinusoidal_positions.h"
#include "train/training_data.h"

namespace automoe {

TrainBatch collatePairs(const std::vector<std::vector<int64_t>>& sources,
                        const std::vector<std::vector<int64_t>>& targets) {
  const int64_t B = static_cast<int64_t>(sources.size());
  int64_t S = 1, T = 1;
  for (int64_t i = 0; i < B; ++i) {
    S = std::max<int64_t>(S, static_cast<int64_t>(sources[i].size()) + 1);
    T = std::max<int64_t>(T, static_cast<int64_t>(targets[i].size()) + 1);
  }
  TrainBatch b;
  b.src = at::full({B, S}, kPadIndex, at::kLong);
  b.prevOutput = at::full({B, T}, kPadIndex, at::kLong);
  b.target = at::full({B, T}, kPadIndex, at::kLong);
  auto src = b.src.accessor<int64_t, 2>();
  auto prev = b.prevOutput.accessor<int64_t, 2>();
  auto tgt = b.target.accessor<int64_t, 2>();
  for (int64_t i = 0; i < B; ++i) {
    const auto& s = sources[i];
    const auto& t = targets[i];
    for (size_t j = 0; j < s.size(); ++j) src[i][j] = s[j];
    src[i][s.size()] = kEosIndex;
    prev[i][0] = kEosIndex;
    for (size_t j = 0; j < t.size(); ++j) {
      tgt[i][j] = t[j];
      prev[i][j + 1] = t[j];
    }
    tgt[i][t.size()] = kEosIndex;
    b.sourceTokens += static_cast<int64_t>(s.size()) + 1;
    b.targetTokens += static_cast<int64_t>(t.size()) + 1;
  }
  return b;
}

}  // namespace automoe
