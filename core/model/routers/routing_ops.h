#pragma once
// Building blocks shared by the routers: top-k selection with AutoMoE's weight convention, the
// Switch balance loss, the ST-MoE z-loss and capacity arithmetic.
#include <ATen/ATen.h>

#include "model/router.h"

namespace automoe {

// Fills logits, probs = softmax(logits) (float32) and the sorted top-k of probs. Weights: the k
// probabilities renormalised to sum to 1 for k > 1; for k = 1 the raw probability, so the task
// loss still trains the router (AutoMoE's is_scale_prob).
void selectTopK(RouteDecision& decision, const at::Tensor& logits, int64_t k);

// Switch/GShard balance loss n * sum_i f_i P_i over the real tokens (1 at perfect balance):
// f_i = share of first choices on expert i, P_i = mean probability of expert i. probs [N, n],
// first [N] int64. Zero when there is no real token.
at::Tensor switchBalanceLoss(const RouteRequest& request, const at::Tensor& probs,
                             const at::Tensor& first);

// ST-MoE router z-loss mean_t logsumexp(logits_t)^2 over the real tokens.
at::Tensor routerZLoss(const RouteRequest& request, const at::Tensor& logits);

// Adds "balance" and "z" to the decision's terms; auxLoss += balanceCoef * balance + zCoef * z.
void addBalanceAndZLosses(RouteDecision& decision, const RouteRequest& request, double balanceCoef,
                          double zCoef);

// Adds a weighted term to the decision (auxLoss starts at 0 when undefined).
void addAuxTerm(RouteDecision& decision, const std::string& name, const at::Tensor& term,
                double coef);

// ceil(cf * tokens * k / n) assignments per expert; 0 (unlimited) when cf <= 0.
int64_t capacityFor(double capacityFactor, int64_t tokens, int64_t k, int64_t n);

// A float32 scalar zero on x's device.
at::Tensor zeroLoss(const at::Tensor& x);

}  // namespace automoe
