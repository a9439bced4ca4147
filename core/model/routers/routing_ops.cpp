#include "model/routers/routing_ops.h"

#include <cmath>

namespace automoe {

void selectTopK(RouteDecision& out, const at::Tensor& logits, int64_t k) {
  out.logits = logits;
  out.probs = at::softmax(logits, -1);
  std::tie(out.weights, out.experts) = at::topk(out.probs, k, -1, /*largest=*/true,
                                                /*sorted=*/true);  // [N, k] each
  if (k > 1) out.weights = out.weights / out.weights.sum(-1, /*keepdim=*/true);
}

at::Tensor zeroLoss(const at::Tensor& x) { return at::zeros({}, x.options().dtype(at::kFloat)); }

at::Tensor switchBalanceLoss(const RouteRequest& r, const at::Tensor& probs,
                             const at::Tensor& first) {
  const int64_t V = r.tokens(), n = probs.size(1);
  if (V == 0) return zeroLoss(probs);
  const at::Tensor f =
      at::bincount(r.realRows(first), {}, n).to(at::kFloat) / static_cast<double>(V);
  const at::Tensor P = r.realRows(probs).mean(0);  // [V, n] -> [n]
  return (f * P).sum() * static_cast<double>(n);
}

at::Tensor routerZLoss(const RouteRequest& r, const at::Tensor& logits) {
  if (r.tokens() == 0) return zeroLoss(logits);
  return at::logsumexp(r.realRows(logits), -1).pow(2).mean();
}

void addAuxTerm(RouteDecision& d, const std::string& name, const at::Tensor& term, double coef) {
  d.auxTerms[name] = term;
  const at::Tensor weighted = term * coef;
  d.auxLoss = d.auxLoss.defined() ? d.auxLoss + weighted : weighted;
}

void addBalanceAndZLosses(RouteDecision& d, const RouteRequest& r, double balanceCoef,
                          double zCoef) {
  addAuxTerm(d, "balance", switchBalanceLoss(r, d.probs, d.experts.select(1, 0)), balanceCoef);
  addAuxTerm(d, "z", routerZLoss(r, d.logits), zCoef);
}

int64_t capacityFor(double cf, int64_t tokens, int64_t k, int64_t n) {
  if (cf <= 0) return 0;
  const double c = std::ceil(cf * static_cast<double>(tokens * k) / static_cast<double>(n));
  return std::max<int64_t>(1, static_cast<int64_t>(c));
}

}  // namespace automoe
