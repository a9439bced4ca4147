#pragma once
// Conditional MoE routing (CMR, NLLB; moe_routers_spec.md §B.2): per token a gate
// g = dropout(sigmoid(w . x + b)) mixes a dense FFN and the MoE, out = (1 - g) FFN(x) + g MoE(x),
// with the auxiliary loss |mean over real tokens of g - target|. The dense FFN is stored at the
// layer's widest expert width and run at the widest width the subnet samples in this layer, so a
// subnet's "cmr.dense" is a prefix slice of its supernet's; the gate is a d -> 1 linear
// ("cmr.gate"). Only MoE layers that can route (more than one expert slot) hold one.
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "model/expert.h"
#include "model/super_linear.h"
#include "project/router_options.h"

namespace automoe {

struct CmrOutput {
  at::Tensor y;     // [N, d] mixed output (pads 0)
  at::Tensor gate;  // [N, 1] g (after dropout)
  at::Tensor loss;  // |mean g - target| over the real tokens
};

class ConditionalMoeRoutingImpl : public torch::nn::Module {
 public:
  ConditionalMoeRoutingImpl(int64_t embedDim, int64_t ffnDim, CmrOptions options);
  void reset();

  // x [N, d], moe [N, d] the MoE output, real [V] indices of real tokens (undefined = all).
  CmrOutput forward(const at::Tensor& x, int64_t d, int64_t denseWidth, const at::Tensor& moe,
                    const at::Tensor& real, double activationDropout) const;

  int64_t embedDim, ffnDim;
  CmrOptions options;
  Expert dense{nullptr};
  SuperLinear gate{nullptr};
};
TORCH_MODULE(ConditionalMoeRouting);

}  // namespace automoe
