#pragma once
// StableMoE as in the CompeteSMoE baselines (Dai et al. 2022, "stablemoe_repo" of the spec):
// cosine-style expert centroids, s_i = x . e_i / |e_i| with e [E, d] sliced [:n, :d] (the norm
// over the sliced width, so a subnet scores exactly as its supernet). Logits s / temperature,
// top-k of the softmax with the softmax_topk weight convention, balance loss n sum f P (the seed
// repo computed none). Optional stage 2 (freeze_fraction > 0): from that fraction of training on,
// the centroids are used detached (routing frozen) and the balance term is no longer trained.
#include "model/router.h"

namespace automoe {

class StableMoeRouter : public RouterBase {
 public:
  StableMoeRouter(int64_t embedDim, int64_t numExperts, const RouterSettings& settings);
  RouteDecision route(const RouteRequest& request) const override;

  bool frozen(const ForwardContext& ctx) const;

  at::Tensor centroids;  // [numExperts, embedDim]

 private:
  StableMoeOptions m_options;
  double m_balanceCoef;
  double m_capacityFactor;
};

}  // namespace automoe
