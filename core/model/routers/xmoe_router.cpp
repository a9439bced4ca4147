#include "model/routers/xmoe_router.h"

#include <cmath>

#include <torch/nn/init.h>

#include "model/few_row_linear.h"
#include "model/routers/routing_ops.h"

namespace automoe {

XmoeRouter::XmoeRouter(int64_t embedDim, int64_t numExperts, const RouterSettings& s)
    : m_temperature(s.options.xmoe.temperature),
      m_balanceCoef(s.balanceLossCoef),
      m_capacityFactor(s.capacityFactor) {
  const int64_t dr = s.options.xmoe.routingDim;
  const double bound = 1.0 / std::sqrt(static_cast<double>(embedDim));
  proj = register_parameter("proj", at::empty({dr, embedDim}).uniform_(-bound, bound));
  at::Tensor e = at::empty({numExperts, dr});
  {
    torch::NoGradGuard noGrad;
    torch::nn::init::orthogonal_(e, /*gain=*/0.32);
  }
  expert_embeddings = register_parameter("expert_embeddings", e);
}

at::Tensor XmoeRouter::scores(const at::Tensor& x, int64_t d, int64_t n) const {
  const at::Tensor h = linearFewRows(x, proj.narrow(1, 0, d)).to(at::kFloat);  // [N, d] -> [N, d_r]
  const at::Tensor hn = h / h.norm(2, {-1}, /*keepdim=*/true).clamp_min(1e-6);
  const at::Tensor e = expert_embeddings.narrow(0, 0, n).to(at::kFloat);  // [n, d_r]
  const at::Tensor en = e * (kEmbeddingNorm / e.norm(2, {-1}, /*keepdim=*/true).clamp_min(1e-6));
  return at::matmul(hn, en.t());  // [N, d_r] x [d_r, n] -> [N, n]
}

RouteDecision XmoeRouter::route(const RouteRequest& r) const {
  TORCH_CHECK(r.n <= expert_embeddings.size(0) && r.d <= proj.size(1),
              "router: slice exceeds stored shape");
  RouteDecision out;
  selectTopK(out, scores(r.x, r.d, r.n) / m_temperature, r.k);
  addAuxTerm(out, "balance", switchBalanceLoss(r, out.probs, out.experts.select(1, 0)),
             m_balanceCoef);
  out.capacity = capacityFor(is_training() ? m_capacityFactor : 0.0, r.tokens(), r.k, r.n);
  return out;
}

}  // namespace automoe
