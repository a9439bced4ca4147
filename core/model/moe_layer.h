#pragma once
// The FFN sub-layer of a SuperTransformer layer: a bank of experts, each with its own weights
// stored at its own maximum FFN width, and one router per router type of the search space. A
// subnet picks n experts (the first n slots) at their sampled widths and a router type; with one
// expert the layer is a dense FFN and no router runs.
//
// Dispatch is grouped, not per token: the (token, expert) assignments of the top-k are ordered by
// choice rank (all first choices before second choices, for capacity priority), sorted by expert,
// the tokens gathered once, every expert runs one GEMM pair on its contiguous block, and the
// weighted outputs are scattered back with index_add. The router chooses the control flow (see
// model/router.h): plain dispatch, a dense competition step (CompeteSMoE) or several passes
// (Stratified MoE). Options usable with every router: expert-output masking (EoM), final-output
// masking (FoM) and conditional MoE routing (CMR, extra parameters "cmr.*" when enabled).
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
#include "model/routers/competition_schedule.h"
#include "model/routers/conditional_moe_routing.h"
#include "project/router_options.h"

namespace automoe {

struct LayerArch;

struct MoeOptions {
  double activationDropout = 0.0;
  // Capacity, jitter, loss weights, per-router options (EoM/FoM, CMR in router.options) and
  // CompeteSMoE's schedule, shared by every layer built from copies of these options.
  RouterSettings router;
};

struct MoeOutput {
  at::Tensor y;  // [N, d]
  // Weighted sum of this layer's router losses (scalar); undefined for dense layers.
  at::Tensor auxLoss;
  // The unweighted terms by name, for logging and tests: "balance" = n * sum_i f_i P_i (Switch),
  // "z" = mean logsumexp(logits)^2 (ST-MoE); routers add their own ("router", "diversity",
  // "balance_comp" for CompeteSMoE competition steps, "cmr" for CMR).
  std::map<std::string, at::Tensor> auxTerms;
  at::Tensor expertTokens;  // [n] int64: assignments processed by each expert (all choices, passes)
  int64_t droppedTokens = 0;  // assignments dropped by the capacity limit
  at::Tensor tokenPasses;     // [N] int64 routing passes per token (multi-pass routers only)
  bool competed = false;      // this call was a CompeteSMoE competition step
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

  // Grouped dispatch of `decision` (rows of x) for the tokens `real` (undefined = all): capacity,
  // renormalisation and EoM applied; y [N, d] is 0 for tokens not dispatched.
  DispatchResult dispatch(const at::Tensor& x, int64_t d, const LayerArch& arch,
                          const RouteDecision& decision, const at::Tensor& real) const;

  int64_t embedDim;
  std::vector<int> expertFfnDims;
  std::vector<std::string> routerTypes;
  MoeOptions options;
  torch::nn::ModuleList experts{nullptr};
  std::map<std::string, std::shared_ptr<RouterBase>> routers;
  ConditionalMoeRouting cmr{nullptr};  // when options.router.options.cmr.enabled and > 1 expert slot

 private:
  MoeOutput forwardRouted(const at::Tensor& x, int64_t d, const LayerArch& arch,
                          const at::Tensor& valid, const ForwardContext& ctx) const;
  at::Tensor competitionStep(const RouterBase& router, const RouteRequest& request,
                             const LayerArch& arch, MoeOutput& out) const;
  at::Tensor mask(const at::Tensor& rows, double p) const;  // EoM/FoM on rows of [M, d]
};
TORCH_MODULE(MoeLayer);

}  // namespace automoe
