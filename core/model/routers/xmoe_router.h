#pragma once
// X-MoE (Chi et al. 2022; CompeteSMoE v2 / torchscale variants): routing by cosine similarity in
// a low-dimensional space. h = P x (P: d -> d_r, no bias), s_i = cos(h, e_i) * 1.5, i.e. the
// normalised h against the expert embeddings rescaled to norm 1.5 (computed functionally each
// call instead of torchscale's in-place renormalisation), so |s_i| <= 1.5. Logits s / temperature
// (0.3: the softmax temperature the CompeteSMoE baselines use), then top-k of the softmax with
// the softmax_topk weight convention. Loss: balance n sum f P on those probabilities (the seed
// repo computed none). P [d_r, d] is sliced [:, :d], e [E, d_r] is sliced [:n, :].
#include "model/router.h"

namespace automoe {

class XmoeRouter : public RouterBase {
 public:
  XmoeRouter(int64_t embedDim, int64_t numExperts, const RouterSettings& settings);
  RouteDecision route(const RouteRequest& request) const override;

  // s [N, n], bounded by kEmbeddingNorm in absolute value.
  at::Tensor scores(const at::Tensor& x, int64_t d, int64_t n) const;

  static constexpr double kEmbeddingNorm = 1.5;
  at::Tensor proj;               // [routingDim, embedDim]
  at::Tensor expert_embeddings;  // [numExperts, routingDim]

 private:
  double m_temperature;
  double m_balanceCoef;
  double m_capacityFactor;
};

}  // namespace automoe
