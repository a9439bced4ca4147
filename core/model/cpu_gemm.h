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

// oneDNN 2.6's sgemm reads a transposed first operand (the dY^T of a weight gradient) 15-30% slower
// when its row stride is a multiple of 512 floats (2 KiB), 1024 floats or more: cache-set
// aliasing. Measured on this project's machine kind, cold cache, [1012 x 1024..3072]^T x
// [1012 x 512..640]: 144-158 GFLOP/s at such strides, 171-187 with rows 16 floats (64 bytes)
// longer. gemmFriendlyRowStride: the row stride to use for `cols` columns (cols, or cols + 16);
// emptyGemmFriendly: an uninitialised [rows, cols] tensor with that row stride (a view into a
// wider buffer) for fp32 CPU tensors, plain at::empty otherwise. Producers of gradients that feed
// weight-gradient products allocate with it; cpuMatmul copies other such operands (a copy costs
// about a twentieth of the product), the non-transposed second operand of a product over 64-383
// rows whose row stride is a multiple of 512 floats, and both operands of a 512-wide layer's
// weight gradient (oneDNN's AVX2 sgemm loses 30-50% there: cpu_gemm.cpp).
int64_t gemmFriendlyRowStride(int64_t cols);
// Whether cpuMatmul makes the copies above (default true; process-wide). Off only to measure what
// they gain on another CPU (bench_train_profile --aliasing-copies 0) without rebuilding.
void setCpuGemmAliasingCopies(bool on);
bool cpuGemmAliasingCopies();
at::Tensor emptyGemmFriendly(int64_t rows, int64_t cols, const at::TensorOptions& options);

// True when oneDNN's sgemm agrees with LibTorch's BLAS on random test products within 1e-4 of
// their scale (the check before `auto` picks it).
bool oneDnnGemmAgreesWithBlas();

}  // namespace automoe
