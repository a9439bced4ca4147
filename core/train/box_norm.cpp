#include "train/box_norm.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include <ATen/Parallel.h>

#include "util/bf16_rounding.h"

namespace automoe {

namespace {

constexpr int64_t kLanes = 16;
constexpr int64_t kChunk = 4096;  // entries per float partial sum (then double)

inline float widen(uint16_t bf16Bits) { return bf16Widened(bf16Bits); }
inline float widen(float x) { return x; }

// One run of n entries: lane j sums entries j, j + 16, ...; a tail after the last full group of 16
// goes to lanes 0.. in order. Lanes are independent sums, so the loop vectorises as it is written.
template <typename G>
__attribute__((always_inline)) inline double runSquares(const G* __restrict g, int64_t n) {
  double total = 0;
  for (int64_t c = 0; c < n; c += kChunk) {
    const int64_t e = std::min(n, c + kChunk);
    float acc[kLanes] = {};
    int64_t i = c;
    for (; i + kLanes <= e; i += kLanes)
      for (int64_t j = 0; j < kLanes; ++j) {
        const float x = widen(g[i + j]);
        acc[j] += x * x;
      }
    for (int64_t j = 0; i < e; ++i, ++j) {
      const float x = widen(g[i]);
      acc[j] += x * x;
    }
    for (int64_t j = 0; j < kLanes; ++j) total += static_cast<double>(acc[j]);
  }
  return total;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
double squaresFloat(const float* g, int64_t n) { return runSquares(g, n); }

__attribute__((target_clones("avx512f", "avx2", "default")))
double squaresBf16(const uint16_t* g, int64_t n) { return runSquares(g, n); }

double squaresDouble(const double* g, int64_t n) {
  double total = 0;
  for (int64_t i = 0; i < n; ++i) total += g[i] * g[i];
  return total;
}

}  // namespace

std::optional<double> boxSquaredNorm(const at::Tensor& grad) {
  const auto type = grad.scalar_type();
  if (!grad.device().is_cpu() || grad.is_sparse() || (type != at::kFloat && type != at::kDouble && type != at::kBFloat16))
    return std::nullopt;
  const int64_t D = grad.dim();
  if (D > 0 && grad.size(-1) > 1 && grad.stride(-1) != 1) return std::nullopt;
  if (grad.numel() == 0) return 0.0;
  const int64_t inner = D == 0 ? 1 : grad.size(D - 1);
  const int64_t rows = grad.numel() / inner;
  const char* const base = static_cast<const char*>(grad.data_ptr());
  const int64_t size = static_cast<int64_t>(grad.element_size());
  std::vector<double> rowSums(static_cast<size_t>(rows));
  const int64_t grain = std::max<int64_t>(1, 65536 / inner);
  at::parallel_for(0, rows, grain, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      int64_t offset = 0;
      for (int64_t d = D - 2, rest = r; d >= 0; --d) {
        offset += (rest % grad.size(d)) * grad.stride(d);
        rest /= grad.size(d);
      }
      const void* row = base + offset * size;
      rowSums[static_cast<size_t>(r)] =
          type == at::kFloat      ? squaresFloat(static_cast<const float*>(row), inner)
          : type == at::kBFloat16 ? squaresBf16(static_cast<const uint16_t*>(row), inner)
                                  : squaresDouble(static_cast<const double*>(row), inner);
    }
  });
  double total = 0;
  for (double s : rowSums) total += s;
  return total;
}

}  // namespace automoe
