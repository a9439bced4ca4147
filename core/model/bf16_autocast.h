#pragma once
// bf16 mixed precision: fp32 master weights, matrix products in bf16 while a Bf16Autocast is
// alive (LibTorch's autocast on CPU and CUDA). Also hides the autocast API's change between
// LibTorch 1.13 (per-backend functions) and 2.4+ (functions taking a device type).
#include <ATen/ATen.h>

namespace automoe {

class Bf16Autocast {
 public:
  // off: does nothing. The first one switched on also enlarges oneDNN's kernel cache
  // (model/onednn_kernel_cache.h).
  explicit Bf16Autocast(bool on);
  ~Bf16Autocast();
  Bf16Autocast(const Bf16Autocast&) = delete;
  Bf16Autocast& operator=(const Bf16Autocast&) = delete;

 private:
  bool m_on;
  bool m_cpuWas = false, m_cudaWas = false;
  at::ScalarType m_cpuType = at::kBFloat16, m_cudaType = at::kHalf;
};

// The type autocast lowers matrix products to for tensors on `device`, or Undefined when
// autocast is off there.
at::ScalarType autocastTypeFor(const at::Device& device);

}  // namespace automoe
