#include "model/fast_dropout.h"

#include <cmath>
#include <mutex>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

namespace automoe {

namespace {

__attribute__((always_inline)) inline uint32_t fmix32(uint32_t h) {  // MurmurHash3's finaliser
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  h *= 0xC2B2AE35u;
  h ^= h >> 16;
  return h;
}

// Mask entries [begin, begin + n) as 0 / kept (the scale in the mask's type; for bf16 masks its
// bit pattern, so that the select is a plain integer one the compiler vectorises: at::BFloat16's
// conversions kept that loop scalar, and the masks of bf16 activations took 0.04 s of a bf16 MoE
// update of the peer configuration, 1 thread).
template <typename T>
__attribute__((always_inline)) inline void fillMask(T* out, int64_t begin, int64_t n, uint32_t k0, uint32_t k1,
                                                    uint32_t threshold, T kept) {
  const uint32_t high = fmix32(static_cast<uint32_t>(static_cast<uint64_t>(begin) >> 32) ^ k1);
  const uint32_t low = static_cast<uint32_t>(begin);
  for (int64_t j = 0; j < n; ++j) {
    const uint32_t h = fmix32(fmix32((low + static_cast<uint32_t>(j)) ^ k0) ^ high);
    out[j] = (h >> 8) < threshold ? kept : T(0);
  }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void fillFloat(float* out, int64_t begin, int64_t n, uint32_t k0, uint32_t k1, uint32_t threshold, float kept) {
  fillMask(out, begin, n, k0, k1, threshold, kept);
}

void fillDouble(double* out, int64_t begin, int64_t n, uint32_t k0, uint32_t k1, uint32_t threshold, double kept) {
  fillMask(out, begin, n, k0, k1, threshold, kept);
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void fillBFloat16(uint16_t* out, int64_t begin, int64_t n, uint32_t k0, uint32_t k1, uint32_t threshold,
                  uint16_t keptBits) {
  fillMask(out, begin, n, k0, k1, threshold, keptBits);
}

}  // namespace

at::Tensor fastDropout(const at::Tensor& x, double p, bool train) {
  if (!train || p <= 0) return x;
  const auto type = x.scalar_type();
  if (!x.device().is_cpu() || (type != at::kFloat && type != at::kDouble && type != at::kBFloat16))
    return at::dropout(x, p, true);
  if (p >= 1) return x * 0;
  uint64_t key;
  {
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    key = gen.get<at::CPUGeneratorImpl>()->random64();
  }
  const uint32_t k0 = static_cast<uint32_t>(key), k1 = static_cast<uint32_t>(key >> 32);
  const auto threshold = static_cast<uint32_t>(std::llround((1.0 - p) * 16777216.0));  // keep iff hash24 < it
  const auto scale = static_cast<float>(1.0 / (1.0 - p));
  const uint16_t scaleBits = c10::BFloat16(scale).x;  // the bf16 mask's kept value, rounded as a cast
  at::Tensor mask = at::empty(x.sizes(), x.options().requires_grad(false));  // contiguous
  const int64_t n = mask.numel();
  at::parallel_for(0, n, 65536, [&](int64_t b, int64_t e) {
    if (type == at::kFloat)
      fillFloat(mask.data_ptr<float>() + b, b, e - b, k0, k1, threshold, scale);
    else if (type == at::kDouble)
      fillDouble(mask.data_ptr<double>() + b, b, e - b, k0, k1, threshold, static_cast<double>(scale));
    else
      fillBFloat16(reinterpret_cast<uint16_t*>(mask.data_ptr<at::BFloat16>()) + b, b, e - b, k0, k1, threshold,
                   scaleBits);
  });
  return x * mask;
}

}  // namespace automoe
