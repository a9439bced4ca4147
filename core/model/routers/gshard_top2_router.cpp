#include "model/routers/gshard_top2_router.h"

#include <cmath>

#include "model/few_row_linear.h"
#include "model/routers/routing_ops.h"

namespace automoe {

GShardTop2Router::GShardTop2Router(int64_t embedDim, int64_t numExperts, const RouterSettings& s)
    : m_balanceCoef(s.balanceLossCoef) {
  const auto& o = s.options.gshardTop2;
  m_spec = {o.secondPolicy, o.capacityFactor, o.evalCapacityFraction};
  const double bound = 1.0 / std::sqrt(static_cast<double>(embedDim));
  weight = register_parameter("weight", at::empty({numExperts, embedDim}).uniform_(-bound, bound));
}

RouteDecision GShardTop2Router::route(const RouteRequest& r) const {
  TORCH_CHECK(r.n <= weight.size(0) && r.d <= weight.size(1), "router: slice exceeds stored shape");
  const at::Tensor logits =
      linearFewRows(r.x, weight.narrow(0, 0, r.n).narrow(1, 0, r.d)).to(at::kFloat);  // [N, n]
  RouteDecision out =
      gshardGate(logits, std::min<int64_t>(r.k, 2), r.tokens(), r.n, m_spec, is_training());
  addAuxTerm(out, "balance", switchBalanceLoss(r, out.probs, out.experts.select(1, 0)),
             m_balanceCoef);
  return out;
}

}  // namespace automoe
