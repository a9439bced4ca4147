#include "model/super_decoder.h"

#include <cmath>
#include <map>

#include "arch/arch_config.h"
#include "model/decoder_layer.h"
#include "model/fast_dropout.h"
#include "model/model_shape.h"
#include "model/sinusoidal_positions.h"

namespace automoe {

SuperDecoderImpl::SuperDecoderImpl(const StackShape& shape, int64_t encoderDim, int64_t qkvDim,
                                   int64_t maxPositions, double dropout, double attentionDropout,
                                   const std::vector<MoeOptions>& moe)
    : m_superDim(shape.superEmbedDim), m_dropout(dropout) {
  TORCH_CHECK(moe.size() == shape.layers.size(), "decoder: ", moe.size(), " MoE options for ",
              shape.layers.size(), " layers");
  layers = register_module("layers", torch::nn::ModuleList());
  for (size_t i = 0; i < shape.layers.size(); ++i)
    layers->push_back(
        DecoderLayer(shape.embedDim, encoderDim, qkvDim, shape.layers[i], attentionDropout, moe[i]));
  positions = register_buffer("positions",
                              sinusoidalTable(maxPositions + kPadIndex + 1, shape.superEmbedDim));
}

at::Tensor SuperDecoderImpl::forward(const at::Tensor& prev, const EncoderOutput& encoder,
                                     const StackArch& arch, const SuperEmbeddingImpl& embed,
                                     DecoderState* state, const ForwardContext& ctx,
                                     MoeStats& stats) const {
  const int64_t d = arch.embedDim, B = prev.size(0), T = prev.size(1);
  const double p = m_dropout * static_cast<double>(d) / static_cast<double>(m_superDim);
  at::Tensor pos;
  at::Tensor padding;
  if (state) {
    // Incremental: the new positions follow the ones already decoded (prefixes have no pads).
    pos = at::arange(state->step + kPadIndex + 1, state->step + kPadIndex + 1 + T,
                     prev.options().dtype(at::kLong)).unsqueeze(0).expand({B, T});  // [T] -> [B, T]
    if (state->layers.size() < static_cast<size_t>(arch.numLayers()))
      state->layers.resize(arch.numLayers());
  } else {
    pos = makePositions(prev);
    const at::Tensor pad = prev.eq(kPadIndex);
    if (pad.any().item<bool>()) padding = pad;
  }
  TORCH_CHECK(pos.max().item<int64_t>() < positions.size(0), "target exceeds max_positions");
  at::Tensor x = embed.forward(prev, d) * std::sqrt(static_cast<double>(d)) +
                 positions.narrow(1, 0, d).index_select(0, pos.reshape(-1)).view({B, T, d});  // [B*T, d] -> [B, T, d]
  x = fastDropout(x, p, is_training() && p > 0);
  // Encoder memory per number of attended encoder layers, built only when a layer needs it (in
  // incremental decoding the projected memory is cached after the first step).
  std::map<int, at::Tensor> memories, memoryPads;
  const bool sourcePadded = encoder.padding.any().item<bool>();
  for (int i = 0; i < arch.numLayers(); ++i) {
    const LayerArch& la = arch.layers[i];
    const int count = la.endeSourceLayers();
    DecoderLayerCache* cache = state ? &state->layers[i] : nullptr;
    if ((!cache || cache->cross.empty()) && !memories.count(count))
      memories[count] = encoder.memory(count);
    if (sourcePadded && !memoryPads.count(count)) memoryPads[count] = encoder.memoryPadding(count);
    LayerRouting routing;
    routing.decoder = true;
    routing.layer = i;
    x = layers->at<DecoderLayerImpl>(i).forward(
        x, d, la, padding, memories.count(count) ? memories[count] : at::Tensor(), encoder.dim,
        sourcePadded ? memoryPads[count] : at::Tensor(), p, cache, ctx, routing, stats);
    stats.layers.push_back(routing);
  }
  if (state) state->step += T;
  return x;
}

}  // namespace automoe
