#pragma once
// ReLU whose input gradient is laid out for the weight-gradient product it feeds. An expert's
// fc1 output gradient (the ReLU's input gradient, [N, f]) is the transposed operand of fc1's
// weight gradient dY^T X; with f a multiple of 512 (1024, 1536, 2048, 3072 in AutoMoE's spaces)
// its row stride aliases in the cache and oneDNN's sgemm slows by 15-30% (see cpu_gemm.h).
// Backward writes the gradient into rows padded by gemmFriendlyRowStride instead of a contiguous
// tensor: no copy, the same values. Elsewhere (other devices, types) plain at::relu's gradient.
#include <ATen/ATen.h>

namespace automoe {

// relu(x) for a 2-D x [N, f]; differentiable in x.
at::Tensor gemmFriendlyRelu(const at::Tensor& x);

}  // namespace automoe
