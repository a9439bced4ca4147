#pragma once
// fairseq/HAT sinusoidal position embeddings, built at the supernet width and prefix-sliced.
#include <ATen/ATen.h>

namespace automoe {

constexpr int64_t kBosIndex = 0;
constexpr int64_t kPadIndex = 1;
constexpr int64_t kEosIndex = 2;
constexpr int64_t kUnkIndex = 3;

// [numPositions, dim]: first dim/2 columns sin, the rest cos, frequency exp(-i ln(1e4)/(dim/2-1));
// the row of the padding index is zero. Real positions start at kPadIndex + 1.
at::Tensor sinusoidalTable(int64_t numPositions, int64_t dim);

// tokens [B, T] -> position indices [B, T]: pad stays kPadIndex, real tokens count from
// kPadIndex + 1 in order (fairseq make_positions).
at::Tensor makePositions(const at::Tensor& tokens);

}  // namespace automoe
