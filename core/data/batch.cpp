#include "data/batch.h"

#include <algorithm>
#include <stdexcept>

#include "data/special_ids.h"
#include "data/token_dataset.h"
#include "model/sinusoidal_positions.h"

namespace automoe {

static_assert(special_ids::kBos == kBosIndex && special_ids::kPad == kPadIndex &&
                  special_ids::kEos == kEosIndex && special_ids::kUnk == kUnkIndex,
              "tokenizer ids must match the model's special indices");

Batch collateBatch(const TokenDataset& data, const std::vector<size_t>& indices) {
  if (indices.empty()) throw std::invalid_argument("collateBatch: empty batch");
  const auto b = static_cast<int64_t>(indices.size());
  int64_t s = 0, t = 0;
  for (size_t i : indices) {
    if (i >= data.size()) throw std::out_of_range("collateBatch: sentence index out of range");
    s = std::max<int64_t>(s, static_cast<int64_t>(data.source(i).size) + 1);
    t = std::max<int64_t>(t, static_cast<int64_t>(data.target(i).size) + 1);
  }
  Batch batch;
  batch.src = at::full({b, s}, kPadIndex, at::kLong);         // [B, S]
  batch.target = at::full({b, t}, kPadIndex, at::kLong);      // [B, T]
  batch.prevOutput = at::full({b, t}, kPadIndex, at::kLong);  // [B, T]
  auto src = batch.src.accessor<int64_t, 2>();
  auto tgt = batch.target.accessor<int64_t, 2>();
  auto prev = batch.prevOutput.accessor<int64_t, 2>();
  for (int64_t r = 0; r < b; ++r) {
    const TokenSpan x = data.source(indices[static_cast<size_t>(r)]);
    const TokenSpan y = data.target(indices[static_cast<size_t>(r)]);
    const auto xn = static_cast<int64_t>(x.size), yn = static_cast<int64_t>(y.size);
    for (int64_t j = 0; j < xn; ++j) src[r][j] = x[static_cast<size_t>(j)];
    src[r][xn] = kEosIndex;
    prev[r][0] = kEosIndex;
    for (int64_t j = 0; j < yn; ++j) {
      tgt[r][j] = y[static_cast<size_t>(j)];
      prev[r][j + 1] = y[static_cast<size_t>(j)];
    }
    tgt[r][yn] = kEosIndex;
    batch.srcTokens += xn + 1;
    batch.tgtTokens += yn + 1;
  }
  return batch;
}

}  // namespace automoe
