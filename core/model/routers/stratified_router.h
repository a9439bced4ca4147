#pragma once
// Stratified MoE (Xu et al., Findings EMNLP 2023; moe_routers_spec.md §B). The n sampled experts
// form L' = min(strata, n) strata by index, sizes as equal as possible with the remainder on the
// lower strata (n = 5, L = 2: {0,1,2}, {3,4}). A token starts at stratum 0; in pass s the tokens
// at stratum s are routed by gate G_s, which reaches only experts of strata >= s (logits of the
// others are -inf), with GShard top-2 (or top-1) gating and capacity computed from the T_s tokens
// of the pass; then the token moves to the stratum of its top-1 expert + 1. So a token takes
// 1..L' passes and only ever moves up. Loss: balance per pass (m = n - o_s visible experts:
// m sum f P), averaged over the passes run.
//
// Adaptation to our post-LN layers (x_out = LN(h + drop(MoE(h)))): the original pre-LN block
// updates its stream h += MoE_s(LN_{s-1}(h)) per pass and ends with LN_{L-1}. Here the layer input
// h is already normalised, pass 0 routes h itself, pass s > 0 routes LN_{s-1}(h + y) with y the
// token's accumulated expert outputs (per-stratum residual and LayerNorm, L' - 1 LayerNorms kept
// in this router), and the layer returns y, so the decoder/encoder layer's own residual, dropout
// and final LayerNorm play the role of the last per-stratum LayerNorm.
//
// Parameters (prefix-sliceable): weight [L', E, d] (gate s = weight[s][:n, :d], bias-free as in
// fairseq), norm_weight / norm_bias [L' - 1, d] (when layer_norm and L' > 1).
#include <vector>

#include "model/router.h"
#include "model/routers/gshard_gate.h"

namespace automoe {

class StratifiedRouter : public RouterBase {
 public:
  StratifiedRouter(int64_t embedDim, int64_t numExperts, const RouterSettings& settings);

  // A single pass at stratum 0 (all experts visible).
  RouteDecision route(const RouteRequest& request) const override;
  bool multiPass() const override { return true; }
  MultiPassResult routeMultiPass(const RouteRequest& request,
                                 const Dispatch& dispatch) const override;

  // First expert of each stratum for n experts, plus n at the end: offsets[s]..offsets[s+1]-1.
  std::vector<int64_t> strataOffsets(int64_t n) const;
  // Gate G_s on u [T, d] (all real tokens) with k <= 2: GShard decision + its balance term.
  RouteDecision routeStratum(const at::Tensor& u, int64_t d, int64_t n, int64_t k, int64_t s) const;

  at::Tensor weight;       // [strata, numExperts, embedDim]
  at::Tensor norm_weight;  // [strata - 1, embedDim] or undefined
  at::Tensor norm_bias;    // [strata - 1, embedDim] or undefined

 private:
  int64_t m_strata;
  GShardGateSpec m_spec;
  double m_balanceCoef;
};

}  // namespace automoe
