#include "model/super_attention.h"

#include <cmath>
#include <limits>

#include <torch/nn/init.h>

#include "model/batched_matmul.h"
#include "model/fast_dropout.h"
#include "model/head_split.h"
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

// [B, T, q] -> [B, h, T, q/h] (a view)
at::Tensor toHeads(const at::Tensor& x, int64_t heads) {
  TORCH_CHECK(x.size(2) % heads == 0, "attention: ", heads, " heads do not divide qkv_dim ", x.size(2));
  return x.view({x.size(0), x.size(1), heads, x.size(2) / heads}).transpose(1, 2);  // [B, T, q] -> [B, h, T, hd]
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

at::Tensor SuperAttentionImpl::attend(const at::Tensor& qh, const at::Tensor& kh, const at::Tensor& vh,
                                      int64_t heads, const at::Tensor& keyPadding,
                                      bool causal) const {
  const int64_t B = qh.size(0), T = qh.size(2), S = kh.size(2), hd = qh.size(3), qkv = heads * hd;
  TORCH_CHECK(qh.size(1) == heads && qkv == options.qkv_dim(), "attention: ", heads, " heads of ", hd,
              " do not make qkv_dim ", options.qkv_dim());
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
  const at::Tensor qkvOut = linearFewRows(x, w, b);  // [B, T, 3q]
  if (!cache) {
    const std::vector<at::Tensor> h = splitHeads(qkvOut, 3, heads);  // 3 x [B, h, T, hd]
    return out_proj->forward(attend(h[0], h[1], h[2], heads, keyPadding, causal), options.qkv_dim(), d);
  }
  const std::vector<at::Tensor> qkvParts = qkvOut.chunk(3, -1);  // [B, T, 3q] -> 3 x [B, T, q]
  at::Tensor k = qkvParts[1], v = qkvParts[2];
  if (!cache->empty()) {
    k = at::cat({cache->key, k}, 1);  // [B, t, q] + [B, T, q] -> [B, t+T, q]
    v = at::cat({cache->value, v}, 1);
  }
  cache->key = k;
  cache->value = v;
  const at::Tensor out = attend(toHeads(qkvParts[0], heads), toHeads(k, heads), toHeads(v, heads), heads,
                                at::Tensor(), causal);
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
  at::Tensor kh, vh;  // [B, h, S, hd]
  if (cache && !cache->empty()) {
    kh = toHeads(cache->key, heads);
    vh = toHeads(cache->value, heads);
  } else {
    const at::Tensor b = withFrozenKeyBias(SliceRecorder::slice(kv_proj_bias, {2 * qkv}), 0, qkv);
    const at::Tensor kvOut = linearFewRows(memory, SliceRecorder::slice(kv_proj_weight, {2 * qkv, dm}), b);  // [B, S, 2q]
    if (cache) {
      const auto kv = kvOut.chunk(2, -1);  // [B, S, 2q] -> 2 x [B, S, q]
      cache->key = kv[0];
      cache->value = kv[1];
      kh = toHeads(kv[0], heads);
      vh = toHeads(kv[1], heads);
    } else {
      const std::vector<at::Tensor> h = splitHeads(kvOut, 2, heads);  // 2 x [B, h, S, hd]
      kh = h[0];
      vh = h[1];
    }
  }
  const at::Tensor out = attend(toHeads(q, heads), kh, vh, heads, memoryPadding, /*causal=*/false);
  return out_proj->forward(out, options.qkv_dim(), dq);
}

}  // namespace automoe
