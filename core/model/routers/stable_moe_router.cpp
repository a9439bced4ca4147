#include "model/routers/stable_moe_router.h"

#include <torch/nn/init.h>

#include "model/few_row_linear.h"
#include "model/routers/routing_ops.h"

namespace automoe {

StableMoeRouter::StableMoeRouter(int64_t embedDim, int64_t numExperts, const RouterSettings& s)
    : m_options(s.options.stableMoe),
      m_balanceCoef(s.balanceLossCoef),
      m_capacityFactor(s.capacityFactor) {
  at::Tensor c = at::empty({numExperts, embedDim});
  {
    torch::NoGradGuard noGrad;
    torch::nn::init::orthogonal_(c, /*gain=*/0.32);
  }
  centroids = register_parameter("centroids", c);
}

bool StableMoeRouter::frozen(const ForwardContext& ctx) const {
  return is_training() && m_options.freezeFraction > 0 && ctx.totalSteps > 0 &&
         static_cast<double>(ctx.step) >=
             m_options.freezeFraction * static_cast<double>(ctx.totalSteps);
}

RouteDecision StableMoeRouter::route(const RouteRequest& r) const {
  TORCH_CHECK(r.n <= centroids.size(0) && r.d <= centroids.size(1),
              "router: slice exceeds stored shape");
  const bool freeze = frozen(r.ctx);
  at::Tensor c = centroids.narrow(0, 0, r.n).narrow(1, 0, r.d);  // [n, d]
  if (freeze) c = c.detach();
  const at::Tensor unit = c / c.norm(2, {-1}, /*keepdim=*/true).clamp_min(1e-6);
  RouteDecision out;
  selectTopK(out, linearFewRows(r.x, unit).to(at::kFloat) / m_options.temperature, r.k);  // [N, n]
  const at::Tensor balance = switchBalanceLoss(r, out.probs, out.experts.select(1, 0));
  addAuxTerm(out, "balance", freeze ? balance.detach() : balance, freeze ? 0.0 : m_balanceCoef);
  out.capacity = capacityFor(is_training() ? m_capacityFactor : 0.0, r.tokens(), r.k, r.n);
  return out;
}

}  // namespace automoe
