#pragma once
// Decoder stack of the SuperTransformer, with full (teacher-forced) and incremental modes.
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

#include <vector>

#include "model/decoder_state.h"
#include "model/encoder_output.h"
#include "model/forward_context.h"
#include "model/moe_layer.h"
#include "model/moe_stats.h"
#include "model/super_embedding.h"

namespace automoe {

struct StackArch;
struct StackShape;

class SuperDecoderImpl : public torch::nn::Module {
 public:
  // `moe` holds the MoE options of each layer of `shape`.
  SuperDecoderImpl(const StackShape& shape, int64_t encoderDim, int64_t qkvDim, int64_t maxPositions,
                   double dropout, double attentionDropout, const std::vector<MoeOptions>& moe);

  // prev [B, T] -> features [B, T, d]. With a state, prev holds the next position(s) only and the
  // caches are extended; without, the whole prefix is decoded at once (causal).
  at::Tensor forward(const at::Tensor& prev, const EncoderOutput& encoder, const StackArch& arch,
                     const SuperEmbeddingImpl& embed, DecoderState* state, const ForwardContext& ctx,
                     MoeStats& stats) const;

  torch::nn::ModuleList layers{nullptr};
  at::Tensor positions;  // [maxPositions + 2, superEmbedDim] buffer

 private:
  int64_t m_superDim;
  double m_dropout;
};
TORCH_MODULE(SuperDecoder);

}  // namespace automoe
