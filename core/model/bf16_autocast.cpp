#include "model/bf16_autocast.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include "model/onednn_kernel_cache.h"

// LibTorch 2.4 replaced is_enabled()/set_cpu_enabled()/get_autocast_gpu_dtype()... by functions
// taking the device type (the old ones are deprecated there).
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define AUTOMOE_AUTOCAST_BY_DEVICE 1
#endif

namespace automoe {

namespace {

bool enabled(at::DeviceType d) {
#ifdef AUTOMOE_AUTOCAST_BY_DEVICE
  return at::autocast::is_autocast_enabled(d);
#else
  return d == at::kCPU ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled();
#endif
}

at::ScalarType dtype(at::DeviceType d) {
#ifdef AUTOMOE_AUTOCAST_BY_DEVICE
  return at::autocast::get_autocast_dtype(d);
#else
  return d == at::kCPU ? at::autocast::get_autocast_cpu_dtype() : at::autocast::get_autocast_gpu_dtype();
#endif
}

void set(at::DeviceType d, bool on, at::ScalarType type) {
#ifdef AUTOMOE_AUTOCAST_BY_DEVICE
  at::autocast::set_autocast_dtype(d, type);
  at::autocast::set_autocast_enabled(d, on);
#else
  if (d == at::kCPU) {
    at::autocast::set_autocast_cpu_dtype(type);
    at::autocast::set_cpu_enabled(on);
  } else {
    at::autocast::set_autocast_gpu_dtype(type);
    at::autocast::set_enabled(on);
  }
#endif
}

}  // namespace

Bf16Autocast::Bf16Autocast(bool on) : m_on(on) {
  if (!m_on) return;
  static const int kernelCache = reserveOneDnnKernelCache();  // once per process
  (void)kernelCache;
  m_cpuWas = enabled(at::kCPU);
  m_cudaWas = enabled(at::kCUDA);
  m_cpuType = dtype(at::kCPU);
  m_cudaType = dtype(at::kCUDA);
  set(at::kCPU, true, at::kBFloat16);
  set(at::kCUDA, true, at::kBFloat16);
}

Bf16Autocast::~Bf16Autocast() {
  if (!m_on) return;
  set(at::kCPU, m_cpuWas, m_cpuType);
  set(at::kCUDA, m_cudaWas, m_cudaType);
  if (!m_cpuWas && !m_cudaWas) at::autocast::clear_cache();
}

at::ScalarType autocastTypeFor(const at::Device& device) {
  if (!device.is_cpu() && !device.is_cuda()) return at::ScalarType::Undefined;
  return enabled(device.type()) ? dtype(device.type()) : at::ScalarType::Undefined;
}

}  // namespace automoe
