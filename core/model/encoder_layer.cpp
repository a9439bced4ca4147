#include "model/encoder_layer.h"

#include "arch/arch_config.h"
#include "model/fast_dropout.h"
#include "model/model_shape.h"

namespace automoe {

EncoderLayerImpl::EncoderLayerImpl(int64_t e, int64_t qkv, const LayerShape& shape,
                                   double attentionDropout, MoeOptions moeOptions) {
  self_attn = register_module(
      "self_attn", SuperAttention(SuperAttentionOptions(e, e, qkv).dropout(attentionDropout)));
  self_attn_layer_norm = register_module("self_attn_layer_norm", SuperLayerNorm(e));
  moe = register_module("moe", MoeLayer(e, shape.expertFfnDims, shape.routers, moeOptions));
  final_layer_norm = register_module("final_layer_norm", SuperLayerNorm(e));
}

at::Tensor EncoderLayerImpl::forward(const at::Tensor& x, int64_t d, const LayerArch& arch,
                                     const at::Tensor& padding, double dropout,
                                     const ForwardContext& ctx, LayerRouting& routing,
                                     MoeStats& stats) const {
  const bool train = is_training() && dropout > 0;
  at::Tensor h = self_attn->forwardSelf(x, d, arch.heads, padding, /*causal=*/false, nullptr);
  h = self_attn_layer_norm->forward(x + fastDropout(h, dropout, train), d);
  const int64_t B = h.size(0), S = h.size(1);
  const at::Tensor valid = padding.defined() ? padding.logical_not().reshape({B * S}) : at::Tensor();
  const MoeOutput m = moe->forward(h.reshape({B * S, d}), d, arch, valid, ctx);  // [B, S, d] -> [B*S, d]
  const at::Tensor f = m.y.view({B, S, d});  // [B*S, d] -> [B, S, d]
  routing.expertTokens = m.expertTokens;
  routing.droppedTokens = m.droppedTokens;
  stats.add(m.auxLoss, m.auxTerms);
  return final_layer_norm->forward(h + fastDropout(f, dropout, train), d);
}

}  // namespace automoe
