#include "model/decoder_layer.h"

#include "arch/arch_config.h"
#include "model/fast_dropout.h"
#include "model/model_shape.h"

namespace automoe {

DecoderLayerImpl::DecoderLayerImpl(int64_t e, int64_t encoderDim, int64_t qkv,
                                   const LayerShape& shape, double attentionDropout,
                                   MoeOptions moeOptions) {
  self_attn = register_module(
      "self_attn", SuperAttention(SuperAttentionOptions(e, e, qkv).dropout(attentionDropout)));
  self_attn_layer_norm = register_module("self_attn_layer_norm", SuperLayerNorm(e));
  encoder_attn = register_module(
      "encoder_attn",
      SuperAttention(SuperAttentionOptions(e, encoderDim, qkv).cross(true).dropout(attentionDropout)));
  encoder_attn_layer_norm = register_module("encoder_attn_layer_norm", SuperLayerNorm(e));
  moe = register_module("moe", MoeLayer(e, shape.expertFfnDims, shape.routers, moeOptions));
  final_layer_norm = register_module("final_layer_norm", SuperLayerNorm(e));
}

at::Tensor DecoderLayerImpl::forward(const at::Tensor& x, int64_t d, const LayerArch& arch,
                                     const at::Tensor& padding, const at::Tensor& memory, int64_t de,
                                     const at::Tensor& memoryPadding, double dropout,
                                     DecoderLayerCache* cache, const ForwardContext& ctx,
                                     LayerRouting& routing, MoeStats& stats) const {
  const bool train = is_training() && dropout > 0;
  at::Tensor h = self_attn->forwardSelf(x, d, arch.heads, at::Tensor(), /*causal=*/true,
                                        cache ? &cache->self : nullptr);
  h = self_attn_layer_norm->forward(x + fastDropout(h, dropout, train), d);
  at::Tensor c = encoder_attn->forwardCross(h, d, memory, de, arch.endeHeads, memoryPadding,
                                            cache ? &cache->cross : nullptr);
  h = encoder_attn_layer_norm->forward(h + fastDropout(c, dropout, train), d);
  const int64_t B = h.size(0), T = h.size(1);
  // Decoder inputs are right-padded and attention is causal, so pads never influence real
  // positions; the MoE skips them so they neither cost expert time nor skew routing statistics.
  const at::Tensor valid = padding.defined() ? padding.logical_not().reshape({B * T}) : at::Tensor();
  const MoeOutput m = moe->forward(h.reshape({B * T, d}), d, arch, valid, ctx);  // [B, T, d] -> [B*T, d]
  const at::Tensor f = m.y.view({B, T, d});  // [B*T, d] -> [B, T, d]
  routing.expertTokens = m.expertTokens;
  routing.droppedTokens = m.droppedTokens;
  stats.add(m.auxLoss, m.auxTerms);
  return final_layer_norm->forward(h + fastDropout(f, dropout, train), d);
}

}  // namespace automoe
