#include "model/routers/smoe_dropout_router.h"

#include <algorithm>
#include <cmath>

#include "model/few_row_linear.h"
#include "model/routers/routing_ops.h"

namespace automoe {

SmoeDropoutRouter::SmoeDropoutRouter(int64_t embedDim, int64_t numExperts, const RouterSettings& s)
    : m_options(s.options.smoeDropout), m_capacityFactor(s.capacityFactor) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(embedDim));
  weight = register_parameter("weight", at::empty({numExperts, embedDim}).uniform_(-bound, bound),
                              /*requires_grad=*/false);
  bias = register_parameter("bias", at::empty({numExperts}).uniform_(-bound, bound),
                            /*requires_grad=*/false);
}

int64_t SmoeDropoutRouter::topK(const RouteRequest& r) const {
  auto clampK = [&](int64_t k) { return std::clamp<int64_t>(k, 1, r.n); };
  if (!is_training()) return clampK(m_options.evalTopK > 0 ? m_options.evalTopK : r.k);
  const int64_t kMax = clampK(m_options.kMax > 0 ? m_options.kMax : r.n);
  const int64_t kMin = std::min(kMax, clampK(m_options.kMin > 0 ? m_options.kMin : r.k));
  if (m_options.schedule == "constant" || r.ctx.totalSteps <= 0) return kMin;
  const double t = static_cast<double>(std::clamp<int64_t>(r.ctx.step, 0, r.ctx.totalSteps));
  const double grown =
      std::round(static_cast<double>(kMax - kMin) * t / static_cast<double>(r.ctx.totalSteps));
  return std::clamp<int64_t>(static_cast<int64_t>(grown) + kMin, kMin, kMax);
}

RouteDecision SmoeDropoutRouter::route(const RouteRequest& r) const {
  TORCH_CHECK(r.n <= weight.size(0) && r.d <= weight.size(1), "router: slice exceeds stored shape");
  const int64_t k = topK(r);
  RouteDecision out;
  out.logits = linearFewRows(r.x, weight.narrow(0, 0, r.n).narrow(1, 0, r.d), bias.narrow(0, 0, r.n))
                   .to(at::kFloat);  // [N, n]
  out.probs = at::softmax(out.logits, -1);
  at::Tensor top;
  std::tie(top, out.experts) =
      at::topk(out.logits, k, -1, /*largest=*/true, /*sorted=*/true);  // [N, k]
  out.weights = at::softmax(top, -1);
  out.auxTerms["balance"] = switchBalanceLoss(r, out.probs, out.experts.select(1, 0)).detach();
  out.auxLoss = zeroLoss(out.logits);
  out.capacity = capacityFor(is_training() ? m_capacityFactor : 0.0, r.tokens(), k, r.n);
  return out;
}

}  // namespace automoe
