#pragma once
// CompeteSMoE v2 (Fsoft-AIC/CompeteSMoE, moe_routers_spec.md §A.5/§A.6). Router policy, used at
// inference, during warm-up and on steps without competition: a bias-free linear gate, softmax
// top-k with the softmax_topk weight convention, balance + z-loss. On the training steps where the
// shared CompetitionSchedule flips this layer, the layer evaluates every sampled expert and
// routeDense() lets them compete: affinity a_i = mean_d softplus(E_i(x)) (v1: |E_i(x)|_2), the
// top-k by affinity process the token with weights a / sum a (v1: softmax), and the router is
// trained to predict the competition: L_router = MSE(softmax(logits), softmax(a).detach())
// (+ theta MSE on the chosen entries if hybrid; "kl": KL(target || router)), plus the diversity of
// the chosen outputs (mean off-diagonal cosine) and the balance of the competition (n sum f P with
// P from softmax(a), not detached). Never competes in eval mode or without grad mode. Losses are
// returned per call (no stale tensors; v1 bug) and every step has its balance term.
#include "model/router.h"

namespace automoe {

class CompeteSmoeRouter : public RouterBase {
 public:
  CompeteSmoeRouter(int64_t embedDim, int64_t numExperts, const RouterSettings& settings);
  RouteDecision route(const RouteRequest& request) const override;
  bool wantsDenseExperts(const RouteRequest& request) const override;
  RouteDecision routeDense(const RouteRequest& request, const at::Tensor& outputs) const override;

  // Affinity [N, n] of expert outputs [N, n, d].
  at::Tensor affinity(const at::Tensor& outputs) const;
  int slot() const { return m_slot; }

  at::Tensor weight;  // [numExperts, embedDim]

 private:
  at::Tensor logits(const RouteRequest& request) const;

  CompeteSmoeOptions m_options;
  RouterSettings m_settings;
  int m_slot;
};

}  // namespace automoe
