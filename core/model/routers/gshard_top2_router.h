#pragma once
// GShard top-2 router (fairseq/torchscale top2gating): a bias-free linear gate, softmax in fp32,
// the first expert is the argmax, the second is sampled with Gumbel noise among the others during
// training (second_policy "sampling"; "all" = plain second argmax; "random" = keep the second only
// if 2 p2 > U(0,1)), plain second argmax at inference. Second choices queue behind all first
// choices for capacity 2 ceil(S/n) (training) or ceil(eval_capacity_fraction S) (inference); the
// kept weights are renormalised after dropping. With the subnet's top_k = 1 it is GShard's top-1
// gate (capacity int(cf ceil(S/n)), raw p). Loss: balance n sum f P (before drops).
#include "model/router.h"
#include "model/routers/gshard_gate.h"

namespace automoe {

class GShardTop2Router : public RouterBase {
 public:
  GShardTop2Router(int64_t embedDim, int64_t numExperts, const RouterSettings& settings);
  RouteDecision route(const RouteRequest& request) const override;

  at::Tensor weight;  // [numExperts, embedDim]

 private:
  GShardGateSpec m_spec;
  double m_balanceCoef;
};

}  // namespace automoe
