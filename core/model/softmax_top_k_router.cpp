#include "model/softmax_top_k_router.h"

#include <cmath>

#include "model/few_row_linear.h"
#include "model/routers/routing_ops.h"

namespace automoe {

SoftmaxTopKRouter::SoftmaxTopKRouter(int64_t embedDim, int64_t numExperts, bool switchStyle,
                                     const RouterSettings& settings)
    : m_switch(switchStyle), m_settings(settings) {
  // PyTorch's nn.Linear default initialisation, as AutoMoE's router.
  const double bound = 1.0 / std::sqrt(static_cast<double>(embedDim));
  weight = register_parameter("weight", at::empty({numExperts, embedDim}).uniform_(-bound, bound));
  bias = register_parameter("bias", at::empty({numExperts}).uniform_(-bound, bound));
}

RouteDecision SoftmaxTopKRouter::route(const RouteRequest& r) const {
  TORCH_CHECK(r.n <= weight.size(0) && r.d <= weight.size(1), "router: slice exceeds stored shape");
  TORCH_CHECK(!m_switch || r.k == 1, "switch_top1 routes each token to exactly one expert");
  at::Tensor x = r.x;
  const double jitter = m_settings.jitter;
  if (m_switch && jitter > 0 && is_training())
    x = x * at::empty_like(x).uniform_(1.0 - jitter, 1.0 + jitter);
  RouteDecision out;
  selectTopK(out,
             linearFewRows(x, weight.narrow(0, 0, r.n).narrow(1, 0, r.d), bias.narrow(0, 0, r.n))
                 .to(at::kFloat),  // [N, n]
             r.k);
  addBalanceAndZLosses(out, r, m_settings.balanceLossCoef, m_settings.zLossCoef);
  const auto& sw = m_settings.options.switchTop1;
  const double cf = !m_switch ? (is_training() ? m_settings.capacityFactor : 0.0)
                              : (is_training() ? sw.capacityFactor : sw.evalCapacityFactor);
  out.capacity = capacityFor(cf, r.tokens(), r.k, r.n);
  return out;
}

}  // namespace automoe
