#include "model/bf16_products.h"

#include "util/bf16_rounding.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

#include <ATen/Parallel.h>

#include <c10/core/impl/LocalDispatchKeySet.h>

#include "model/cpu_gemm.h"
#include "util/cpu_bf16.h"

namespace automoe {

namespace {
std::atomic<CpuBf16Products> gMode{CpuBf16Products::Auto};
}  // namespace

void setCpuBf16Products(CpuBf16Products mode) { gMode = mode; }

CpuBf16Products cpuBf16Products() { return gMode; }

bool bf16ProductsViaFloat(const at::Device& device) {
  if (!device.is_cpu()) return false;
  switch (gMode.load()) {
    case CpuBf16Products::Native: return false;
    case CpuBf16Products::ViaFloat: return true;
    case CpuBf16Products::Auto: break;
  }
  return cpuBf16Support() == CpuBf16::Reference;
}

namespace {

// bf16 round to nearest even of a float's bits, kept as a float (c10::BFloat16's rounding; NaN
// stays NaN).
inline uint32_t roundBits(uint32_t u) { return static_cast<uint32_t>(bf16RoundedBits(u)) << 16; }

__attribute__((target_clones("avx512f", "avx2", "default")))
void roundRow(const uint32_t* __restrict src, uint32_t* __restrict dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = roundBits(src[i]);
}

}  // namespace

std::string cpuBf16ProductsName() { return bf16ProductsViaFloat(at::kCPU) ? "fp32_gemm" : "libtorch"; }

at::Tensor roundedToBf16(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 2 && x.device().is_cpu() && x.scalar_type() == at::kFloat,
              "roundedToBf16: expects a 2-D fp32 CPU tensor");
  if (x.size(1) > 1 && x.stride(1) != 1) return x.to(at::kBFloat16).to(at::kFloat);
  const int64_t rows = x.size(0), cols = x.size(1);
  at::Tensor y = emptyGemmFriendly(rows, cols, x.options());  // [R, C], rows maybe padded
  const auto* src = reinterpret_cast<const uint32_t*>(x.data_ptr<float>());
  auto* dst = reinterpret_cast<uint32_t*>(y.data_ptr<float>());
  const int64_t stride = x.stride(0), yStride = y.stride(0);
  at::parallel_for(0, rows, std::max<int64_t>(1, 65536 / std::max<int64_t>(cols, 1)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) roundRow(src + r * stride, dst + r * yStride, cols);
  });
  return y;
}

at::Tensor bf16MatmulViaFloat(const at::Tensor& a, bool transA, const at::Tensor& b, bool transB,
                              const at::Tensor& bias, at::ScalarType out) {
  TORCH_CHECK(a.dim() == 2 && b.dim() == 2 && a.device().is_cpu() && b.device().is_cpu(),
              "bf16MatmulViaFloat: expects 2-D CPU tensors");
  // Under CPU autocast at::mm would lower the fp32 operands to bf16 again.
  const c10::impl::ExcludeDispatchKeyGuard noAutocast(c10::DispatchKey::AutocastCPU);
  auto widened = [](const at::Tensor& t) { return t.scalar_type() == at::kFloat ? t : t.to(at::kFloat); };
  at::Tensor y = cpuMatmul(widened(a), transA, widened(b), transB);  // [M, N] fp32
  if (bias.defined()) y.add_(widened(bias));
  return out == at::kFloat ? y : y.to(out);
}

at::Tensor linearViaFloat(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
  const at::Tensor x2 = x.reshape({-1, weight.size(1)});  // [..., in] -> [M, in]
  auto bf16Values = [](const at::Tensor& t) {  // fp32 holding bf16 values, or bf16
    return t.scalar_type() == at::kFloat ? roundedToBf16(t) : t.to(at::kBFloat16);
  };
  std::vector<int64_t> sizes = x.sizes().vec();
  sizes.back() = weight.size(0);
  const at::Tensor b = bias.defined() ? bias.to(at::kBFloat16) : bias;
  return bf16MatmulViaFloat(bf16Values(x2), false, bf16Values(weight), true, b).view(sizes);  // [M, out] -> [..., out]
}

}  // namespace automoe
