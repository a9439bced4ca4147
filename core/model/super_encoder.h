#pragma once
// Encoder stack of the SuperTransformer; layers past the sampled depth are skipped.
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

#include <vector>

#include "model/encoder_output.h"
#include "model/forward_context.h"
#include "model/moe_layer.h"
#include "model/moe_stats.h"
#include "model/super_embedding.h"

namespace automoe {

struct StackArch;
struct StackShape;

class SuperEncoderImpl : public torch::nn::Module {
 public:
  // `moe` holds the MoE options of each layer of `shape`.
  SuperEncoderImpl(const StackShape& shape, int64_t qkvDim, int64_t maxPositions, double dropout,
                   double attentionDropout, const std::vector<MoeOptions>& moe);

  // src [B, S] -> outputs of every sampled layer
  EncoderOutput forward(const at::Tensor& src, const StackArch& arch, const SuperEmbeddingImpl& embed,
                        const ForwardContext& ctx, MoeStats& stats) const;

  torch::nn::ModuleList layers{nullptr};
  at::Tensor positions;  // [maxPositions + 2, superEmbedDim] buffer

 private:
  int64_t m_superDim;
  double m_dropout;
};
TORCH_MODULE(SuperEncoder);

}  // namespace automoe
