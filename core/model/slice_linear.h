#pragma once
// at::linear for training on prefix-sliced weights. Autograd's own linear differentiates a
// strided weight view W[:out, :in] into a transposed [out, in] gradient, which AccumulateGrad then
// copies into a contiguous one (measured: 0.13 s per update of the wmt14.en-de MoE space, fp32).
// This function computes the weight gradient directly as grad^T x, already contiguous, and under
// autocast (bf16 mixed precision) runs all three products in the autocast type on one cast copy
// of the weight, returning the weight and bias gradients in the parameters' type. On the CPU the
// bf16 products go straight through oneDNN with run-time shapes (onednn_bf16_matmul.h; bf16 MoE
// update of the wmt14.en-de space, 1 thread, Zen 4: 2.16-2.22 -> 2.02-2.05 s); where that is not
// available, through LibTorch with the rows padded to a multiple of 64 so that oneDNN's per-shape
// kernels are reused across calls (2.18 -> 1.75 s CPU with 32 rows; see kRowQuantum).
#include <string>

#include <ATen/ATen.h>

namespace automoe {

// x [..., in], weight [out, in] (any strides, e.g. a prefix view), bias [out] or undefined
// -> [..., out]. Same values as at::linear (to float rounding); differentiable in all inputs.
at::Tensor sliceLinear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);

// How sliceLinear multiplies in bf16 on the CPU, for result files: "onednn_direct"
// (onednn_bf16_matmul.h), "fp32_gemm" (bf16_products.h) or "libtorch" (rows padded).
std::string sliceLinearCpuBf16Products();

}  // namespace automoe
