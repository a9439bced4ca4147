#pragma once
// The FFN sub-layer of a SuperTransformer layer: a bank of experts, each with its own weights
// stored at its own maximum FFN width, and one router per router type of the search space. A
// subnet picks n experts (the first n slots) at their sampled widths and a router type; with one
// expert the layer is a dense FFN and no router runs.
//
// Dispatch is grouped, not per token: the (token, expert) assignments of the top-k are sorted by
// expert, the tokens gathered once, every expert runs one GEMM pair on its contiguous block, and
// the weighted outputs are scattered back with index_add.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

#include "model/expert.h"
#include "model/forward_context.h"
#include "model/router.h"

namespace automoe {

struct LayerArch;

struct MoeOptions {
  double activationDropout = 0.0;
  double capacityFactor = 0.0;  // training only; capacity = ceil(cf * tokens * k / n), 0 = none
  double routerJitter = 0.01;
  double balanceLossCoef = 0.01;  // weight of the Switch balance loss in auxLoss
  double zLossCoef = 0.001;       // weight of the router z-loss in auxLoss
};

struct MoeOutput {
  at::Tensor y;             // [N, d]
  // Weighted sum of this layer's router losses (scalar); undefined for dense layers.
  at::Tensor auxLoss;
  // The unweighted terms by name, for logging and tests: "balance" = n * sum_i f_i P_i (Switch),
  // "z" = mean logsumexp(logits)^2 (ST-MoE); routers may add their own.
  std::map<std::string, at::Tensor> auxTerms;
  at::Tensor expertTokens;  // [n] int64: tokens routed to each expert (first choice and others)
  int64_t droppedTokens = 0;  // assignments dropped by the capacity limit
};

class MoeLayerImpl : public torch::nn::Module {
 public:
  MoeLayerImpl(int64_t embedDim, std::vector<int> expertFfnDims, std::vector<std::string> routers,
               MoeOptions options);
  void reset();

  // x [N, d]; valid [N] bool marks real tokens (padding is neither routed nor counted), or
  // undefined when every token is real.
  MoeOutput forward(const at::Tensor& x, int64_t d, const LayerArch& arch, const at::Tensor& valid,
                    const ForwardContext& ctx = {}) const;

  int64_t embedDim;
  std::vector<int> expertFfnDims;
  std::vector<std::string> routerTypes;
  MoeOptions options;
  torch::nn::ModuleList experts{nullptr};
  std::map<std::string, std::shared_ptr<RouterBase>> routers;

 private:
  MoeOutput forwardRouted(const at::Tensor& x, int64_t d, const LayerArch& arch,
                          const at::Tensor& valid, const ForwardContext& ctx) const;
};
TORCH_MODULE(MoeLayer);

}  // namespace automoe
