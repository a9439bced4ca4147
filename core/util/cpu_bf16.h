#pragma once
// How fast bf16 matrix products can run on this CPU. LibTorch sends CPU bf16 products to oneDNN only
// where the CPU has AVX-512 BW+VL+DQ (its mkldnn_bf16_device_check); oneDNN then uses AMX or
// AVX512_BF16 instructions ("native") or converts through AVX-512 ("emulated"). Without AVX-512
// (older CPUs, or a guest whose hypervisor masks it, e.g. an AMD EPYC seen with AVX2 only) LibTorch
// falls back to its reference loops: measured there (1 thread) 4.7 GFLOP/s for a 512^3 bf16 product
// against 70 for fp32 with OpenBLAS's Zen kernel. The model's products therefore take bf16 through
// fp32 GEMMs there (model/bf16_products.h): fp32 speed, bf16 results.
#include <string>

namespace automoe {

enum class CpuBf16 { Native, Emulated, Reference };

struct CpuFeatures {
  bool avx512f = false, avx512bw = false, avx512vl = false, avx512dq = false;
  bool avx512bf16 = false, amxBf16 = false;
};

CpuFeatures detectCpuFeatures();  // CPUID, with the OS's AVX-512 state checked (XCR0)
CpuBf16 cpuBf16Support(const CpuFeatures& f);
CpuBf16 cpuBf16Support();  // of this CPU
std::string cpuBf16Name(CpuBf16 s);  // "native", "emulated", "reference"

// A note for a run that asks for bf16 on a CPU without bf16 products (Reference): they run through
// fp32 GEMMs, so bf16 saves activation memory there but no time. "" otherwise. `what` names the
// setting, e.g. "training.precision".
std::string cpuBf16Note(const std::string& what, CpuBf16 s);

}  // namespace automoe
