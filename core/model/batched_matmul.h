#pragma once
// Batched matrix product for attention in training: C[n] = A[n] B[n].
//
// ATen's CPU bmm (LibTorch 1.13, float32) runs one addmm per matrix of the batch, with three
// tensor views and the dispatcher's checks around each: for attention (batch x heads matrices of
// ~30 x 64) that overhead is as large as the arithmetic (measured: 37k select() calls and ~0.17 s
// per training update of the wmt14 supernet, at 39 GFLOP/s). This function calls the process's
// BLAS sgemm directly per matrix, with pointer arithmetic only, and is its own autograd node
// (the backward is two more batched products of the same kind).
//
// Used for float32 CPU tensors with grad mode on, when the BLAS exports `sgemm_`; anything else
// goes to at::matmul. Results agree with at::matmul to float rounding.
//
// Under bf16 autocast (training with bf16 mixed precision) the same path takes bf16 operands in
// float32 and returns float32 (their gradients go back in bf16), instead of autocast's bf16 bmm:
// that goes to oneDNN, which JIT-builds a kernel for every new [B, H, m, k, p] - and attention's
// shapes change with every batch and sampled head count - or, on CPUs without AVX-512, to
// LibTorch's reference loops. A tuned fp32 sgemm matches or beats oneDNN's bf16 rate on the CPUs
// measured (AVX-512: 105-155 against 70-80 GFLOP/s), and the scores are more exact for it.
#include <ATen/ATen.h>

namespace automoe {

// alpha · a b for a [B, H, m, k], b [B, H, k, p] (any strides: the batch dims B, H are walked by
// pointer; each matrix needs a unit stride in one of its two dims, otherwise a copy is made)
// -> [B, H, m, p]. On the BLAS path alpha goes into sgemm (attention's 1/sqrt(d) scale without a
// scaled copy of the queries, forward or backward); elsewhere it is at::matmul(a * alpha, b).
at::Tensor batchedMatmul(const at::Tensor& a, const at::Tensor& b, double alpha = 1.0);

// Whether batchedMatmul would take the direct BLAS path for these operands now.
bool batchedMatmulUsesBlas(const at::Tensor& a, const at::Tensor& b);

}  // namespace automoe
