#pragma once
// Post-LN Transformer encoder layer: x = LN(x + drop(SelfAttn(x))); x = LN(x + drop(MoE(x))).
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "model/moe_layer.h"
#include "model/moe_stats.h"
#include "model/super_attention.h"
#include "model/super_layer_norm.h"

namespace automoe {

struct LayerArch;
struct LayerShape;

class EncoderLayerImpl : public torch::nn::Module {
 public:
  EncoderLayerImpl(int64_t embedDim, int64_t qkvDim, const LayerShape& shape, double attentionDropout,
                   MoeOptions moe);
  // x [B, S, d], padding [B, S] bool -> [B, S, d]
  at::Tensor forward(const at::Tensor& x, int64_t d, const LayerArch& arch, const at::Tensor& padding,
                     double dropout, const ForwardContext& ctx, LayerRouting& routing,
                     MoeStats& stats) const;

  SuperAttention self_attn{nullptr};
  SuperLayerNorm self_attn_layer_norm{nullptr};
  MoeLayer moe{nullptr};
  SuperLayerNorm final_layer_norm{nullptr};
};
TORCH_MODULE(EncoderLayer);

}  // namespace automoe
