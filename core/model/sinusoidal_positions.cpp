#include "model/sinusoidal_positions.h"

#include <cmath>

namespace automoe {

at::Tensor sinusoidalTable(int64_t numPositions, int64_t dim) {
  const int64_t half = dim / 2;
  const double step = std::log(10000.0) / static_cast<double>(half > 1 ? half - 1 : 1);
  const at::Tensor freq = at::exp(at::arange(half, at::kFloat) * -step);                   // [half]
  const at::Tensor angle = at::arange(numPositions, at::kFloat).unsqueeze(1) * freq.unsqueeze(0);  // [P, half]
  at::Tensor table = at::cat({at::sin(angle), at::cos(angle)}, 1);  // [P, 2*half]
  if (dim % 2 == 1) table = at::cat({table, at::zeros({numPositions, 1})}, 1);  // [P, dim]
  table[kPadIndex].zero_();
  return table;
}

at::Tensor makePositions(const at::Tensor& tokens) {
  const at::Tensor mask = tokens.ne(kPadIndex).to(at::kLong);  // [B, T]
  return at::cumsum(mask, 1) * mask + kPadIndex;
}

}  // namespace automoe
