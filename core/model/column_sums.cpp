#include "model/column_sums.h"

#include <algorithm>
#include <cstdint>

#include <ATen/Parallel.h>

#include "util/bf16_rounding.h"

namespace automoe {

namespace {

constexpr int64_t kRows = 128;     // rows per partial sum
constexpr int64_t kColumns = 256;  // columns per task (a multiple of 16 floats: whole vectors)

inline float widen(uint16_t bf16Bits) { return bf16Widened(bf16Bits); }
inline float widen(float x) { return x; }

// out[0, n) = sum over rows [0, m) of rows at `ld` apart, starting at `g`: per block of kRows
// rows a partial sum, to which each group of four rows adds its pairwise sum.
template <typename T>
__attribute__((always_inline)) inline void sumColumns(const T* g, int64_t ld, int64_t m, int64_t n, float* out) {
  float partial[kColumns];
  for (int64_t j = 0; j < n; ++j) out[j] = 0.0f;
  for (int64_t r0 = 0; r0 < m; r0 += kRows) {
    const int64_t r1 = std::min(m, r0 + kRows);
    for (int64_t j = 0; j < n; ++j) partial[j] = 0.0f;
    int64_t r = r0;
    for (; r + 4 <= r1; r += 4) {  // four rows per pass over the partial sums (fewer loads and stores)
      const T *a = g + r * ld, *b = a + ld, *c = b + ld, *d = c + ld;
      for (int64_t j = 0; j < n; ++j) partial[j] += (widen(a[j]) + widen(b[j])) + (widen(c[j]) + widen(d[j]));
    }
    for (; r < r1; ++r) {
      const T* row = g + r * ld;
      for (int64_t j = 0; j < n; ++j) partial[j] += widen(row[j]);
    }
    for (int64_t j = 0; j < n; ++j) out[j] += partial[j];
  }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void sumBf16(const uint16_t* g, int64_t ld, int64_t m, int64_t n, float* out) { sumColumns(g, ld, m, n, out); }

__attribute__((target_clones("avx512f", "avx2", "default")))
void sumFloat(const float* g, int64_t ld, int64_t m, int64_t n, float* out) { sumColumns(g, ld, m, n, out); }

}  // namespace

at::Tensor columnSums(const at::Tensor& g, at::ScalarType type) {
  const bool fast = g.dim() == 2 && g.device().is_cpu() && type == at::kFloat &&
                    (g.scalar_type() == at::kBFloat16 || g.scalar_type() == at::kFloat) &&
                    (g.size(1) <= 1 || g.stride(1) == 1);
  if (!fast) return g.sum(0, false, type);
  const int64_t M = g.size(0), N = g.size(1), ld = g.stride(0);
  at::Tensor out = at::empty({N}, g.options().dtype(at::kFloat));  // [N]
  float* const o = out.data_ptr<float>();
  const bool bf16 = g.scalar_type() == at::kBFloat16;
  const char* const base = static_cast<const char*>(g.data_ptr());
  const int64_t blocks = (N + kColumns - 1) / kColumns;
  // One task per block of columns, so that each column is summed by one thread in one order.
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 16) / std::max<int64_t>(M * kColumns, 1));
  at::parallel_for(0, blocks, grain, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const int64_t j0 = b * kColumns, n = std::min(kColumns, N - j0);
      if (bf16)
        sumBf16(reinterpret_cast<const uint16_t*>(base) + j0, ld, M, n, o + j0);
      else
        sumFloat(reinterpret_cast<const float*>(base) + j0, ld, M, n, o + j0);
    }
  });
  return out;
}

}  // namespace automoe
