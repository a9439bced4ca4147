#pragma once
// Multi-head attention with weight sharing (HAT's MultiheadAttentionSuper). The Q/K/V projections
// have a fixed width qkv_dim; the sampled head count only changes head_dim = qkv_dim / heads.
// Sampled input widths take the first columns of the projection weights, and the output projection
// the first rows. Self-attention stores one fused [3*qkv, d] in-projection (one GEMM for Q, K and
// V); cross-attention stores [qkv, d_query] and [2*qkv, d_memory] separately, so a standalone
// subnet whose encoder and decoder widths differ keeps no unused columns.
#include <ATen/ATen.h>
#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "model/attention_cache.h"
#include "model/super_linear.h"

namespace automoe {

struct SuperAttentionOptions {
  SuperAttentionOptions(int64_t queryDim, int64_t memoryDim, int64_t qkvDim)
      : query_dim_(queryDim), memory_dim_(memoryDim), qkv_dim_(qkvDim) {}
  TORCH_ARG(int64_t, query_dim);   // stored width of the attending stream
  TORCH_ARG(int64_t, memory_dim);  // stored width of the attended stream (== query_dim for self)
  TORCH_ARG(int64_t, qkv_dim);
  TORCH_ARG(bool, cross) = false;  // encoder-decoder attention
  TORCH_ARG(double, dropout) = 0.0;
};

class SuperAttentionImpl : public torch::nn::Module {
 public:
  explicit SuperAttentionImpl(const SuperAttentionOptions& options);
  void reset();

  // Self-attention. x [B, T, d] -> [B, T, d]. keyPadding [B, T] bool (true = pad) or undefined.
  // With `causal`, position i attends to positions <= i. With a cache (incremental decoding), x
  // holds only the new positions, whose keys/values are appended to the cache.
  at::Tensor forwardSelf(const at::Tensor& x, int64_t d, int64_t heads, const at::Tensor& keyPadding,
                         bool causal, AttentionCache* cache) const;

  // Cross-attention. x [B, T, dq], memory [B, S, dm], memoryPadding [B, S] -> [B, T, dq]. With a
  // cache, the projected memory is computed once and reused.
  at::Tensor forwardCross(const at::Tensor& x, int64_t dq, const at::Tensor& memory, int64_t dm,
                          int64_t heads, const at::Tensor& memoryPadding,
                          AttentionCache* cache) const;

  SuperAttentionOptions options;
  at::Tensor in_proj_weight;   // self: [3*qkv, query_dim]
  at::Tensor in_proj_bias;     // self: [3*qkv]
  at::Tensor q_proj_weight;    // cross: [qkv, query_dim]
  at::Tensor q_proj_bias;      // cross: [qkv]
  at::Tensor kv_proj_weight;   // cross: [2*qkv, memory_dim]
  at::Tensor kv_proj_bias;     // cross: [2*qkv]
  SuperLinear out_proj{nullptr};

 private:
  // Head-major q [B, h, T, hd], k/v [B, h, S, hd] -> [B, T, h*hd]
  at::Tensor attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, int64_t heads,
                    const at::Tensor& keyPadding, bool causal) const;
};
TORCH_MODULE(SuperAttention);

}  // namespace automoe
