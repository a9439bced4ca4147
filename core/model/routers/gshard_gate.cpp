#include "model/routers/gshard_gate.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace automoe {

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

RouteDecision gshardGate(const at::Tensor& logits, int64_t k, int64_t S, int64_t visible,
                         const GShardGateSpec& spec, bool training) {
  TORCH_CHECK(k == 1 || k == 2, "GShard gating routes to 1 or 2 experts, not ", k);
  TORCH_CHECK(k <= visible, "GShard gating: top-", k, " of ", visible, " visible experts");
  RouteDecision out;
  out.logits = logits;
  out.probs = at::softmax(logits, -1);                              // [T, n]
  const at::Tensor first = out.probs.argmax(-1, /*keepdim=*/true);  // [T, n] -> [T, 1]
  if (k == 1) {
    out.experts = first;
    out.weights = out.probs.gather(1, first);  // [T, 1] raw p, not renormalised
  } else {
    at::Tensor noisy = logits;
    if (training && spec.secondPolicy == "sampling") {  // Gumbel-max sample of the second expert
      const at::Tensor u = at::rand_like(logits).clamp_(1e-9, 1.0 - 1e-9);
      noisy = logits - at::log(-at::log(u));
    }
    const double inf = std::numeric_limits<double>::infinity();
    const at::Tensor second = noisy.scatter(1, first, -inf).argmax(-1, /*keepdim=*/true);  // [T, 1]
    out.experts = at::cat({first, second}, 1);       // 2 x [T, 1] -> [T, 2]
    out.weights = out.probs.gather(1, out.experts);  // [T, 2] raw gates
    out.renormalize = true;
    if (training && spec.secondPolicy == "random") {  // keep the 2nd only if 2 p2 > U(0, 1)
      const at::Tensor u = at::rand({logits.size(0)}, logits.options());
      const at::Tensor keep2 = out.weights.select(1, 1).detach() * 2.0 > u;  // [T]
      out.active = at::stack({at::ones_like(keep2), keep2}, 1);              // 2 x [T] -> [T, 2]
    }
  }
  if (!training) {
    const double f = spec.evalCapacityFraction;
    out.capacity = f > 0 ? static_cast<int64_t>(std::ceil(f * static_cast<double>(S))) : 0;
  } else if (k == 2) {
    out.capacity = 2 * ceilDiv(S, visible);
  } else if (spec.capacityFactor > 0) {
    out.capacity =
        std::max<int64_t>(1, static_cast<int64_t>(spec.capacityFactor * ceilDiv(S, visible)));
  }
  return out;
}

}  // namespace automoe
