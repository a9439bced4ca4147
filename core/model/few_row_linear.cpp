#include "model/few_row_linear.h"

#include "model/bf16_autocast.h"
#include "model/bf16_products.h"
#include "model/slice_linear.h"

#include <cstring>

#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>

// The vector helpers below are always inlined into the per-ISA clones, so the ABI of passing a
// 64-byte vector by value (what -Wpsabi warns about) never applies.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace automoe {

namespace {

// GCC vector extensions: one AVX-512 register, two AVX2 registers or four SSE registers,
// depending on the clone the loader picks for this CPU.
typedef float V16 __attribute__((vector_size(64)));
typedef float V8 __attribute__((vector_size(32)));
typedef float V4 __attribute__((vector_size(16)));

constexpr int kOutBlock = 4;  // weight rows per block: 4 x 6 accumulators fit 32 registers
constexpr int kRowChunk = 6;  // input rows per pass over a block (the block stays in L1/L2)
// Software prefetch distance along each weight row, in floats (512 bytes). Weights streamed from
// DRAM: 8.9 -> 10.6 GB/s for 5 rows x 60 experts of 3072 x 640 (a plain sum reads 10.7 GB/s).
constexpr int64_t kPrefetch = 128;

__attribute__((always_inline)) inline V16 load16(const float* p) {
  V16 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

__attribute__((always_inline)) inline float horizontalSum(V16 v) {
  const V8 a = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
               __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
  const V4 b = __builtin_shufflevector(a, a, 0, 1, 2, 3) + __builtin_shufflevector(a, a, 4, 5, 6, 7);
  return (b[0] + b[1]) + (b[2] + b[3]);
}

struct Args {
  const float* x;  // [M, K], row stride K
  const float* w;  // [N, K], row stride ldw
  const float* b;  // [N] or nullptr
  float* y;        // [M, N]
  int64_t M, N, K, ldw;
};

// Rows [m0, m0 + MC) times weight rows [n0, n0 + NB).
template <int MC, int NB>
__attribute__((always_inline)) inline void block(const Args& a, int64_t m0, int64_t n0) {
  const int64_t K16 = a.K & ~int64_t{15};
  V16 acc[NB][MC] = {};
  const bool firstPass = m0 == 0;  // later row chunks find the block in L1/L2
  for (int64_t k = 0; k < K16; k += 16) {
    V16 xv[MC];
    for (int m = 0; m < MC; ++m) xv[m] = load16(a.x + (m0 + m) * a.K + k);
    if (firstPass)
      for (int j = 0; j < NB; ++j) __builtin_prefetch(a.w + (n0 + j) * a.ldw + k + kPrefetch, 0, 3);
    for (int j = 0; j < NB; ++j) {
      const V16 wv = load16(a.w + (n0 + j) * a.ldw + k);
      for (int m = 0; m < MC; ++m) acc[j][m] += wv * xv[m];
    }
  }
  for (int j = 0; j < NB; ++j)
    for (int m = 0; m < MC; ++m) {
      const float* wr = a.w + (n0 + j) * a.ldw;
      const float* xr = a.x + (m0 + m) * a.K;
      float s = horizontalSum(acc[j][m]);
      for (int64_t k = K16; k < a.K; ++k) s += wr[k] * xr[k];
      a.y[(m0 + m) * a.N + n0 + j] = s + (a.b ? a.b[n0 + j] : 0.0f);
    }
}

template <int NB>
__attribute__((always_inline)) inline void rowChunks(const Args& a, int64_t n0) {
  int64_t m = 0;
  for (; m + kRowChunk <= a.M; m += kRowChunk) block<kRowChunk, NB>(a, m, n0);
  switch (a.M - m) {
    case 1: block<1, NB>(a, m, n0); break;
    case 2: block<2, NB>(a, m, n0); break;
    case 3: block<3, NB>(a, m, n0); break;
    case 4: block<4, NB>(a, m, n0); break;
    case 5: block<5, NB>(a, m, n0); break;
    default: break;
  }
}

// Weight rows [begin, end); one clone per instruction set, chosen at load time.
__attribute__((target_clones("avx512f", "avx2", "default")))
void kernel(const Args& a, int64_t begin, int64_t end) {
  int64_t n = begin;
  for (; n + kOutBlock <= end; n += kOutBlock) rowChunks<kOutBlock>(a, n);
  for (; n < end; ++n) rowChunks<1>(a, n);
}

bool eligible(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
  if (at::GradMode::is_enabled() &&
      (x.requires_grad() || w.requires_grad() || (b.defined() && b.requires_grad())))
    return false;
  if (!x.device().is_cpu() || !w.device().is_cpu() || x.scalar_type() != at::kFloat ||
      w.scalar_type() != at::kFloat || w.dim() != 2 || x.dim() < 1)
    return false;
  if (b.defined() && (!b.device().is_cpu() || b.scalar_type() != at::kFloat || b.dim() != 1))
    return false;
  const int64_t K = w.size(1);
  if (x.size(-1) != K || K == 0 || w.size(0) == 0 || (w.stride(1) != 1 && w.size(1) > 1))
    return false;
  return x.numel() / K <= kFewRowLimit && x.numel() > 0;
}

}  // namespace

at::Tensor linearFewRows(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
  if (!eligible(x, weight, bias)) {
    // Anything autograd must differentiate (a frozen weight's input too) goes to sliceLinear.
    const bool training = at::GradMode::is_enabled() &&
                          (weight.requires_grad() || x.requires_grad() || (bias.defined() && bias.requires_grad()));
    if (training) return sliceLinear(x, weight, bias);
    // bf16 inference where LibTorch has no fast bf16 GEMM (bf16_products.h).
    const bool bf16 = autocastTypeFor(x.device()) == at::kBFloat16 ||
                      (x.scalar_type() == at::kBFloat16 && weight.scalar_type() == at::kBFloat16);
    if (bf16 && weight.dim() == 2 && bf16ProductsViaFloat(x.device())) return linearViaFloat(x, weight, bias);
    return at::linear(x, weight, bias);
  }
  const int64_t K = weight.size(1), N = weight.size(0), M = x.numel() / K;
  const at::Tensor xc = x.contiguous().view({M, K});  // [..., K] -> [M, K]
  const at::Tensor bc = bias.defined() ? bias.contiguous() : bias;
  std::vector<int64_t> outSizes = x.sizes().vec();
  outSizes.back() = N;
  at::Tensor y = at::empty({M, N}, x.options());  // [M, N]
  const Args a{xc.data_ptr<float>(), weight.data_ptr<float>(),
               bc.defined() ? bc.data_ptr<float>() : nullptr, y.data_ptr<float>(),
               M, N, K, weight.stride(0)};
  // Split the weight rows across threads in whole blocks (grain: ~64 KiB of weights per task).
  const int64_t grain = std::max<int64_t>(kOutBlock, (16384 / K + kOutBlock - 1) / kOutBlock * kOutBlock);
  at::parallel_for(0, (N + kOutBlock - 1) / kOutBlock, std::max<int64_t>(1, grain / kOutBlock),
                   [&](int64_t b0, int64_t b1) {
                     kernel(a, b0 * kOutBlock, std::min(N, b1 * kOutBlock));
                   });
  return y.view(outSizes);  // [M, N] -> [..., N]
}

}  // namespace automoe
