#pragma once
// Post-LN Transformer decoder layer: causal self-attention, encoder-decoder attention over the
// outputs of the last 1-3 encoder layers (AutoMoE's arbitrary encoder-decoder attention), MoE FFN.
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "model/attention_cache.h"
#include "model/moe_layer.h"
#include "model/moe_stats.h"
#include "model/super_attention.h"
#include "model/super_layer_norm.h"

namespace automoe {

struct LayerArch;
struct LayerShape;

struct DecoderLayerCache {
  AttentionCache self;
  AttentionCache cross;
};

class DecoderLayerImpl : public torch::nn::Module {
 public:
  DecoderLayerImpl(int64_t embedDim, int64_t encoderDim, int64_t qkvDim, const LayerShape& shape,
                   double attentionDropout, MoeOptions moe);

  // x [B, T, d]; padding [B, T] marks target pads (excluded from routing) or is undefined;
  // memory [B, S', de] = concatenated encoder outputs, memoryPadding [B, S'];
  // cache for incremental decoding (x then holds only the new positions) or nullptr.
  at::Tensor forward(const at::Tensor& x, int64_t d, const LayerArch& arch, const at::Tensor& padding,
                     const at::Tensor& memory,
                     int64_t de, const at::Tensor& memoryPadding, double dropout,
                     DecoderLayerCache* cache, const ForwardContext& ctx, LayerRouting& routing,
                     MoeStats& stats) const;

  SuperAttention self_attn{nullptr};
  SuperLayerNorm self_attn_layer_norm{nullptr};
  SuperAttention encoder_attn{nullptr};
  SuperLayerNorm encoder_attn_layer_norm{nullptr};
  MoeLayer moe{nullptr};
  SuperLayerNorm final_layer_norm{nullptr};
};
TORCH_MODULE(DecoderLayer);

}  // namespace automoe
