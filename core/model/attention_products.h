#pragma once
// The two products of multi-head attention, per (sentence, head), straight from the [B, len, qkv]
// layout the projections produce: scores = alpha q k^T and mix = p v. LibTorch 1.13's CPU bmm
// (no MKL) runs a batch of small products as one ATen mm per matrix, about 36,000 dispatches
// (select, as_strided, resolve_conj, mm) per training update of the wmt14.en-de space, plus the
// copies that make the head-major views contiguous. Here each product is one sgemm call on
// strided rows, the (sentence, head) pairs split over the intra-op threads, forward and backward.
// Used for fp32 CPU tensors when the fp32 products go through oneDNN (cpu_gemm.h); elsewhere
// these are at::matmul.
#include <ATen/ATen.h>

namespace automoe {

// q [B, T, qkv], k [B, S, qkv] (qkv = heads x hd; any row stride, unit column stride) ->
// [B, heads, T, S] = alpha q_h k_h^T.
at::Tensor attentionScores(const at::Tensor& q, const at::Tensor& k, int64_t heads, double alpha);
// p [B, heads, T, S], v [B, S, qkv] -> [B, T, qkv], head h's columns = p_h v_h.
at::Tensor attentionMix(const at::Tensor& p, const at::Tensor& v, int64_t heads);

}  // namespace automoe
