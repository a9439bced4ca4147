#include "model/super_attention.h"

#include <cmath>
#include <limits>

#include <torch/nn/init.h>

#include "model/batched_matmul.h"
#include "model/fast_dropout.h"
#include "model/slice_recorder.h"
#include <ATen/core/grad_mode.h>

#include "model/few_row_linear.h"

namespace automoe {

namespace {

// The key bias adds q.b_k to every score of a query, which the softmax cancels: it cannot change
// any output and its gradient is analytically zero. Detaching it makes that gradient exactly zero
// instead of rounding noise, which Adam would otherwise blow up into lr-sized random steps.
at::Tensor withFrozenKeyBias(const at::Tensor& bias, int64_t keyOffset, int64_t qkv) {
  if (!at::GradMode::is_enabled() || !bias.requires_grad()) return bias;  // inference: nothing to do
  return at::cat({bias.narrow(0, 0, keyOffset), bias.narrow(0, keyOffset, qkv).detach(),
                  bias.narrow(0, keyOffset + qkv, bias.size(0) - keyOffset - qkv)});
}

}  // namespace

SuperAttentionImpl::SuperAttentionImpl(const SuperAttentionOptions& o) : options(o) { reset(); }

void SuperAttentionImpl::reset() {
  const int64_t q = options.qkv_dim();
  if (options.cross()) {
    q_proj_weight = register_parameter("q_proj_weight", at::empty({q, options.query_dim()}));
    q_proj_bias = register_parameter("q_proj_bias", at::zeros({q}));
    kv_proj_weight = register_parameter("kv_proj_weight", at::empty({2 * q, options.memory_dim()}));
    kv_proj_bias = register_parameter("kv_proj_bias", at::zeros({2 * q}));
  } else {
    TORCH_CHECK(options.query_dim() == options.memory_dim(), "self-attention needs equal widths");
    in_proj_weight = register_parameter("in_proj_weight", at::empty({3 * q, options.query_dim()}));
    in_proj_bias = register_parameter("in_proj_bias", at::zeros({3 * q}));
  }
  out_proj = register_module("out_proj", SuperLinear(SuperLinearOptions(q, options.query_dim())));
  torch::NoGradGuard noGrad;
  // Xavier over the fused [3q, d] matrix, as in fairseq/HAT; cross: the same bound per block.
  const double bound = std::sqrt(6.0 / (3 * q + options.query_dim()));
  if (options.cross()) {
    q_proj_weight.uniform_(-bound, bound);
    kv_proj_weight.uniform_(-bound, bound);
  } else {
    in_proj_weight.uniform_(-bound, bound);
  }
}

at::Tensor SuperAttentionImpl::attend(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                      int64_t heads, const at::Tensor& keyPadding,
                                      bool causal) const {
  const int64_t B = q.size(0), T = q.size(1), S = k.size(1), qkv = options.qkv_dim();
  const int64_t hd = qkv / heads;
  TORCH_CHECK(hd * heads == qkv, "attention: ", heads, " heads do not divide qkv_dim ", qkv);
  const at::Tensor qh = q.view({B, T, heads, hd}).transpose(1, 2);  // [B, T, qkv] -> [B, h, T, hd]
  const at::Tensor kh = k.view({B, S, heads, hd}).transpose(1, 2);  // [B, S, qkv] -> [B, h, S, hd]
  const at::Tensor vh = v.view({B, S, heads, hd}).transpose(1, 2);  // [B, S, qkv] -> [B, h, S, hd]
  // The queries' 1/sqrt(hd) scale rides in the product (no scaled copy of q to make and differentiate).
  const double scale = 1.0 / std::sqrt(static_cast<double>(hd));
  at::Tensor scores = batchedMatmul(qh, kh.transpose(-2, -1), scale);  // [B, h, T, S]
  const double ninf = -std::numeric_limits<double>::infinity();
  if (causal && T > 1) {
    // Query i (the last T of S positions) may see keys <= S - T + i.
    const at::Tensor mask = at::ones({T, S}, scores.options().dtype(at::kBool)).triu(S - T + 1);
    scores = scores.masked_fill(mask, ninf);
  }
  if (keyPadding.defined())
    scores = scores.masked_fill(keyPadding.view({B, 1, 1, S}), ninf);  // [B, S] -> [B, 1, 1, S]
  at::Tensor probs = at::softmax(scores, -1);
  if (options.dropout() > 0 && is_training()) probs = fastDropout(probs, options.dropout(), true);
  return batchedMatmul(probs, vh)  // [B, h, T, hd]
      .transpose(1, 2)             // -> [B, T, h, hd]
      .reshape({B, T, qkv});       // -> [B, T, qkv]
}

at::Tensor SuperAttentionImpl::forwardSelf(const at::Tensor& x, int64_t d, int64_t heads,
                                           const at::Tensor& keyPadding, bool causal,
                                           AttentionCache* cache) const {
  TORCH_CHECK(!options.cross(), "forwardSelf on a cross-attention module");
  TORCH_CHECK(d <= options.query_dim(), "attention: width ", d, " > stored ", options.query_dim());
  const int64_t q3 = in_proj_weight.size(0);
  const at::Tensor w = SliceRecorder::slice(in_proj_weight, {q3, d});  // [3q, d]
  const at::Tensor b = withFrozenKeyBias(SliceRecorder::slice(in_proj_bias, {q3}), options.qkv_dim(),
                                         options.qkv_dim());
  const std::vector<at::Tensor> qkvParts = linearFewRows(x, w, b).chunk(3, -1);  // [B, T, 3q] -> 3 x [B, T, q]
  at::Tensor k = qkvParts[1], v = qkvParts[2];
  if (cache) {
    if (!cache->empty()) {
      k = at::cat({cache->key, k}, 1);  // [B, t, q] + [B, T, q] -> [B, t+T, q]
      v = at::cat({cache->value, v}, 1);
    }
    cache->key = k;
    cache->value = v;
  }
  const at::Tensor out = attend(qkvParts[0], k, v, heads, cache ? at::Tensor() : keyPadding, causal);
  return out_proj->forward(out, options.qkv_dim(), d);
}

at::Tensor SuperAttentionImpl::forwardCross(const at::Tensor& x, int64_t dq, const at::Tensor& memory,
                                            int64_t dm, int64_t heads,
                                            const at::Tensor& memoryPadding,
                                            AttentionCache* cache) const {
  TORCH_CHECK(options.cross(), "forwardCross on a self-attention module");
  TORCH_CHECK(dq <= options.query_dim() && dm <= options.memory_dim(), "cross-attention: widths ",
              dq, "/", dm, " exceed stored ", options.query_dim(), "/", options.memory_dim());
  const int64_t qkv = options.qkv_dim();
  const at::Tensor q = linearFewRows(x, SliceRecorder::slice(q_proj_weight, {qkv, dq}),
                                  SliceRecorder::slice(q_proj_bias, {qkv}));  // [B, T, qkv]
  at::Tensor k, v;
  if (cache && !cache->empty()) {
    k = cache->key;
    v = cache->value;
  } else {
    const at::Tensor b = withFrozenKeyBias(SliceRecorder::slice(kv_proj_bias, {2 * qkv}), 0, qkv);
    const auto kv = linearFewRows(memory, SliceRecorder::slice(kv_proj_weight, {2 * qkv, dm}), b)
                        .chunk(2, -1);  // [B, S, 2q] -> 2 x [B, S, q]
    k = kv[0];
    v = kv[1];
    if (cache) {
      cache->key = k;
      cache->value = v;
    }
  }
  const at::Tensor out = attend(q, k, v, heads, memoryPadding, /*causal=*/false);
  return out_proj->forward(out, options.qkv_dim(), dq);
}

}  // namespace automoe
