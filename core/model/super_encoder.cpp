#include "model/super_encoder.h"

#include <cmath>

#include "arch/arch_config.h"
#include "model/encoder_layer.h"
#include "model/fast_dropout.h"
#include "model/model_shape.h"
#include "model/sinusoidal_positions.h"

namespace automoe {

SuperEncoderImpl::SuperEncoderImpl(const StackShape& shape, int64_t qkvDim, int64_t maxPositions,
                                   double dropout, double attentionDropout,
                                   const std::vector<MoeOptions>& moe)
    : m_superDim(shape.superEmbedDim), m_dropout(dropout) {
  TORCH_CHECK(moe.size() == shape.layers.size(), "encoder: ", moe.size(), " MoE options for ",
              shape.layers.size(), " layers");
  layers = register_module("layers", torch::nn::ModuleList());
  for (size_t i = 0; i < shape.layers.size(); ++i)
    layers->push_back(EncoderLayer(shape.embedDim, qkvDim, shape.layers[i], attentionDropout, moe[i]));
  positions = register_buffer("positions",
                              sinusoidalTable(maxPositions + kPadIndex + 1, shape.superEmbedDim));
}

EncoderOutput SuperEncoderImpl::forward(const at::Tensor& src, const StackArch& arch,
                                        const SuperEmbeddingImpl& embed, const ForwardContext& ctx,
                                        MoeStats& stats) const {
  const int64_t d = arch.embedDim;
  TORCH_CHECK(src.size(1) < positions.size(0) - kPadIndex, "source of ", src.size(1),
              " tokens exceeds max_positions");
  const double p = m_dropout * static_cast<double>(d) / static_cast<double>(m_superDim);
  EncoderOutput out;
  out.dim = d;
  out.padding = src.eq(kPadIndex);  // [B, S]
  at::Tensor x = embed.forward(src, d) * std::sqrt(static_cast<double>(d)) +
                 positions.narrow(1, 0, d).index_select(0, makePositions(src).reshape(-1))
                     .view({src.size(0), src.size(1), d});  // [B*S, d] -> [B, S, d]
  x = fastDropout(x, p, is_training() && p > 0);
  const at::Tensor padding = out.padding.any().item<bool>() ? out.padding : at::Tensor();
  for (int i = 0; i < arch.numLayers(); ++i) {
    LayerRouting routing;
    routing.layer = i;
    x = layers->at<EncoderLayerImpl>(i).forward(x, d, arch.layers[i], padding, p, ctx, routing, stats);
    stats.layers.push_back(routing);
    out.layers.push_back(x);
  }
  return out;
}

}  // namespace automoe
