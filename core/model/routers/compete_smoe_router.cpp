#include "model/routers/compete_smoe_router.h"

#include <cmath>

#include "model/few_row_linear.h"
#include "model/routers/competition_schedule.h"
#include "model/routers/routing_ops.h"

namespace automoe {

CompeteSmoeRouter::CompeteSmoeRouter(int64_t embedDim, int64_t numExperts, const RouterSettings& s)
    : m_options(s.options.competeSmoe), m_settings(s) {
  if (!m_settings.competition) m_settings.competition = std::make_shared<CompetitionSchedule>();
  m_slot = m_settings.competition->addLayer();
  const double bound = 1.0 / std::sqrt(static_cast<double>(embedDim));
  weight = register_parameter("weight", at::empty({numExperts, embedDim}).uniform_(-bound, bound));
}

at::Tensor CompeteSmoeRouter::logits(const RouteRequest& r) const {
  TORCH_CHECK(r.n <= weight.size(0) && r.d <= weight.size(1), "router: slice exceeds stored shape");
  return linearFewRows(r.x, weight.narrow(0, 0, r.n).narrow(1, 0, r.d)).to(at::kFloat);  // [N, n]
}

RouteDecision CompeteSmoeRouter::route(const RouteRequest& r) const {
  RouteDecision out;
  selectTopK(out, logits(r), r.k);
  addBalanceAndZLosses(out, r, m_settings.balanceLossCoef, m_settings.zLossCoef);
  out.capacity = capacityFor(is_training() ? m_settings.capacityFactor : 0.0, r.tokens(), r.k, r.n);
  return out;
}

bool CompeteSmoeRouter::wantsDenseExperts(const RouteRequest& r) const {
  return is_training() && at::GradMode::is_enabled() &&
         m_settings.competition->competes(m_slot, r.ctx.step, r.ctx.totalSteps, m_options);
}

at::Tensor CompeteSmoeRouter::affinity(const at::Tensor& outputs) const {
  const at::Tensor o = outputs.to(at::kFloat);
  if (m_options.affinity == "l2_norm") return o.norm(2, {-1});  // [N, n, d] -> [N, n]
  return at::softplus(o).mean(-1);                              // [N, n, d] -> [N, n]
}

RouteDecision CompeteSmoeRouter::routeDense(const RouteRequest& r,
                                            const at::Tensor& outputs) const {
  const int64_t N = outputs.size(0), d = outputs.size(2), k = r.k;
  RouteDecision out;
  out.logits = logits(r);
  out.probs = at::softmax(out.logits, -1);
  const at::Tensor a = affinity(outputs);  // [N, n]
  const at::Tensor target = at::softmax(a, -1);
  at::Tensor top;
  std::tie(top, out.experts) = at::topk(a, k, -1, /*largest=*/true, /*sorted=*/true);  // [N, k]
  out.weights = m_options.weightNorm == "softmax"
                    ? at::softmax(top, -1)
                    : top / top.sum(-1, /*keepdim=*/true).clamp_min(1e-9);
  if (N == 0) {
    for (const char* t : {"router", "diversity", "balance_comp"})
      addAuxTerm(out, t, zeroLoss(a), 0.0);
    return out;
  }
  const at::Tensor q = target.detach();
  at::Tensor router =
      m_options.routerLoss == "kl"
          ? (q * (q.clamp_min(1e-9).log() - at::log_softmax(out.logits, -1))).sum(-1).mean()
          : (out.probs - q).pow(2).mean();
  if (m_options.hybrid)
    router =
        router + m_options.routerTheta *
                     (out.probs.gather(1, out.experts) - q.gather(1, out.experts)).pow(2).mean();
  // Diversity: mean over N*k*k of the off-diagonal cosine similarities of the chosen outputs.
  const at::Tensor chosen =
      outputs.to(at::kFloat)
          .gather(1, out.experts.unsqueeze(-1).expand({N, k, d}));  // [N, n, d] -> [N, k, d]
  const at::Tensor unit = chosen / chosen.norm(2, {-1}, /*keepdim=*/true).clamp_min(1e-6);
  const at::Tensor sim = at::bmm(unit, unit.transpose(1, 2));  // [N, k, d] x [N, d, k] -> [N, k, k]
  const at::Tensor diversity = (sim * (1 - at::eye(k, sim.options()))).mean();
  addAuxTerm(out, "router", router, m_options.routerLossCoef);
  addAuxTerm(out, "diversity", diversity, m_options.diversityLossCoef);
  addAuxTerm(out, "balance_comp", switchBalanceLoss(r, target, out.experts.select(1, 0)),
             m_options.balCompLossCoef);
  return out;
}

}  // namespace automoe
