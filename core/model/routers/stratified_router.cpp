#include "model/routers/stratified_router.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "model/few_row_linear.h"
#include "model/routers/routing_ops.h"

namespace automoe {

StratifiedRouter::StratifiedRouter(int64_t embedDim, int64_t numExperts, const RouterSettings& s)
    : m_strata(std::min<int64_t>(s.options.stratified.strata, numExperts)),
      m_balanceCoef(s.balanceLossCoef) {
  const auto& o = s.options.stratified;
  m_spec = {o.secondPolicy, o.capacityFactor, o.evalCapacityFraction};
  const double bound = 1.0 / std::sqrt(static_cast<double>(embedDim));
  weight = register_parameter("weight",
                              at::empty({m_strata, numExperts, embedDim}).uniform_(-bound, bound));
  if (o.layerNorm && m_strata > 1) {
    norm_weight = register_parameter("norm_weight", at::ones({m_strata - 1, embedDim}));
    norm_bias = register_parameter("norm_bias", at::zeros({m_strata - 1, embedDim}));
  }
}

std::vector<int64_t> StratifiedRouter::strataOffsets(int64_t n) const {
  const int64_t L = std::min(m_strata, n);
  std::vector<int64_t> offsets{0};
  for (int64_t l = 0; l < L; ++l) offsets.push_back(offsets.back() + n / L + (l < n % L ? 1 : 0));
  return offsets;
}

RouteDecision StratifiedRouter::routeStratum(const at::Tensor& u, int64_t d, int64_t n, int64_t k,
                                             int64_t s) const {
  TORCH_CHECK(n <= weight.size(1) && d <= weight.size(2), "router: slice exceeds stored shape");
  const int64_t first = strataOffsets(n)[s], visible = n - first;
  at::Tensor logits =
      linearFewRows(u, weight.select(0, s).narrow(0, 0, n).narrow(1, 0, d)).to(at::kFloat);  // [T, n]
  if (first > 0)
    logits = logits.index_fill(1, at::arange(first, logits.options().dtype(at::kLong)),
                               -std::numeric_limits<double>::infinity());
  const int64_t T = u.size(0);
  RouteDecision out =
      gshardGate(logits, std::min<int64_t>({k, 2, visible}), T, visible, m_spec, is_training());
  const RouteRequest all(u, d, n, k);
  // Over the visible experts: m^2 mean_e(f_e P_e) = m sum_e f_e P_e (invisible: f = P = 0).
  const at::Tensor balance = switchBalanceLoss(all, out.probs, out.experts.select(1, 0)) *
                             (static_cast<double>(visible) / static_cast<double>(n));
  addAuxTerm(out, "balance", balance, m_balanceCoef);
  return out;
}

RouteDecision StratifiedRouter::route(const RouteRequest& r) const {
  RouteDecision out = routeStratum(r.x, r.d, r.n, r.k, 0);
  out.auxTerms.clear();
  out.auxLoss = at::Tensor();
  addAuxTerm(out, "balance", switchBalanceLoss(r, out.probs, out.experts.select(1, 0)),
             m_balanceCoef);
  return out;
}

MultiPassResult StratifiedRouter::routeMultiPass(const RouteRequest& r,
                                                 const Dispatch& dispatch) const {
  const int64_t N = r.x.size(0), n = r.n, d = r.d;
  const std::vector<int64_t> offsets = strataOffsets(n);
  const int64_t L = static_cast<int64_t>(offsets.size()) - 1;
  const at::TensorOptions longs = r.x.options().dtype(at::kLong);
  // Stratum of each expert, and each token's current stratum (pads start past the last one).
  at::Tensor stratumOf = at::empty({n}, longs);
  for (int64_t s = 0; s < L; ++s)
    stratumOf.narrow(0, offsets[s], offsets[s + 1] - offsets[s]).fill_(s);
  at::Tensor state =
      r.real.defined() ? at::full({N}, L, longs).index_fill(0, r.real, 0) : at::zeros({N}, longs);
  MultiPassResult out;
  at::Tensor y = at::zeros_like(r.x);  // [N, d] accumulated expert outputs
  out.tokenPasses = at::zeros({N}, longs);
  std::vector<at::Tensor> balances;
  for (int64_t s = 0; s < L; ++s) {
    const at::Tensor idx = state.eq(s).nonzero().squeeze(1);  // [T_s]
    if (idx.size(0) == 0) continue;
    at::Tensor u = r.x.index_select(0, idx);  // [T_s, d]
    if (s > 0) {
      u = u + y.index_select(0, idx);
      if (norm_weight.defined())
        u = at::layer_norm(u, {d}, norm_weight[s - 1].narrow(0, 0, d),
                           norm_bias[s - 1].narrow(0, 0, d), 1e-5);
    }
    const RouteDecision dec = routeStratum(u, d, n, r.k, s);
    y = y.index_add(0, idx, dispatch(u, dec).y);
    out.tokenPasses.index_add_(0, idx, at::ones_like(idx));
    state.index_copy_(0, idx, stratumOf.index_select(0, dec.experts.select(1, 0)) + 1);
    balances.push_back(dec.auxTerms.at("balance"));
  }
  out.y = y;
  const at::Tensor balance =
      balances.empty() ? zeroLoss(r.x) : at::stack(balances).mean();  // passes x [] -> []
  out.auxTerms["balance"] = balance;
  out.auxLoss = balance * m_balanceCoef;
  return out;
}

}  // namespace automoe
