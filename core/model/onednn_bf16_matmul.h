#pragma once
// bf16 matrix products on the CPU straight through oneDNN's matmul with every size and stride
// given at run time, so that one kernel serves all shapes. LibTorch's own bf16 product (through
// ideep) builds a kernel per shape; the expert blocks of a MoE layer change their row count on
// every call, so their rows were padded to a multiple of 64 to make shapes recur
// (model/slice_linear.cpp): about 5% of a bf16 MoE update's products were padding rows. oneDNN
// runs run-time shapes with its gemm kernel (AVX-512 BF16 where the CPU has it). Measured with
// oneDNN 2.6, 1 thread, AMD EPYC (Zen 4): 196-224 GFLOP/s on the peer configuration's shapes
// (170-16004 rows, 512-16004 wide), a kernel built in 0.03-0.15 ms once per layout; fixed-shape
// kernels 198-220 GFLOP/s, built in 0.2-0.7 ms per shape. With a bf16 result 1020 x 16004 the
// run-time kernel loses a third (145 against 219 with an fp32 result), so results that wide are
// computed in fp32 and converted.
//
// Compiled in where oneDNN's headers were found (AUTOMOE_HAVE_ONEDNN, as cpu_gemm.h), for the
// oneDNN LibTorch links (Debian's libdnnl2).
#include <ATen/ATen.h>

namespace automoe {

// Whether products go through oneDNN here: compiled in, and a kernel for bf16 could be built
// on this CPU (checked once; oneDNN emulates bf16 on AVX-512 CPUs without its instructions and
// refuses older ones). Process-wide switch for tests and benchmarks: setOneDnnBf16Matmul(false)
// keeps LibTorch's products.
bool oneDnnBf16MatmulAvailable();
void setOneDnnBf16Matmul(bool on);
// How many kernels have been built so far (one per transpose pair, bias type and result type).
int oneDnnBf16MatmulKernels();

// op(a) · op(b) [+ bias] (op = transpose when the flag is set) for 2-D bf16 CPU tensors with unit
// column stride (other layouts are made so first); bias [N] bf16 or fp32, or undefined. The result
// [M, N], contiguous, in `out` (bf16 or fp32), accumulated in fp32. Requires
// oneDnnBf16MatmulAvailable(). Not an autograd operation.
at::Tensor oneDnnBf16Matmul(const at::Tensor& a, bool transA, const at::Tensor& b, bool transB,
                            const at::Tensor& bias = {}, at::ScalarType out = at::kBFloat16);

}  // namespace automoe
