#pragma once
// fp32 matrix products on the CPU through oneDNN's sgemm instead of LibTorch's BLAS. On this
// project's machine (Skylake-X class, AVX-512) oneDNN 2.6 runs the products of expert-sized blocks
// (170-512 rows x 512-2048) at 160-194 GFLOP/s on one thread where OpenBLAS 0.3.21's SkylakeX
// kernel gets 141-162, and is level with it on 1024-row products. Compiled in where oneDNN's
// headers are found (Debian: libdnnl-dev, the same libdnnl2 LibTorch links); process-wide switch.
// A process that installs signal handlers must keep them off the threads that call this (see
// util/stop_signal_scope.h): oneDNN 2.6's kernels move the stack pointer into the heap.
#include <string>

#include <ATen/ATen.h>

namespace automoe {

enum class CpuGemm { Blas, OneDnn };

bool oneDnnGemmCompiledIn();
std::string oneDnnVersion();  // "" when not compiled in
// The backend sliceLinear uses for fp32 CPU products (default Blas). OneDnn where not compiled
// in throws std::invalid_argument.
void setCpuGemm(CpuGemm backend);
CpuGemm cpuGemm();
std::string cpuGemmName(CpuGemm backend);  // "blas", "onednn"

// op(a) · op(b) for 2-D fp32 CPU tensors (op = transpose when the flag is set) with the current
// backend; any row stride, unit column stride (other layouts are made contiguous first).
at::Tensor cpuMatmul(const at::Tensor& a, bool transA, const at::Tensor& b, bool transB);

// True when oneDNN's sgemm agrees with LibTorch's BLAS on random test products within 1e-4 of
// their scale (the check before `auto` picks it).
bool oneDnnGemmAgreesWithBlas();

}  // namespace automoe
