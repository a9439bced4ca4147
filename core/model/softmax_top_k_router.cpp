#include "model/softmax_top_k_router.h"

#include <cmath>

namespace automoe {

SoftmaxTopKRouter::SoftmaxTopKRouter(int64_t embedDim, int64_t numExperts, bool switchStyle,
                                     double jitter)
    : m_switch(switchStyle), m_jitter(jitter) {
  // PyTorch's nn.Linear default initialisation, as AutoMoE's router.
  const double bound = 1.0 / std::sqrt(static_cast<double>(embedDim));
  weight = register_parameter("weight", at::empty({numExperts, embedDim}).uniform_(-bound, bound));
  bias = register_parameter("bias", at::empty({numExperts}).uniform_(-bound, bound));
}

RouteDecision SoftmaxTopKRouter::route(const RouteRequest& r) const {
  TORCH_CHECK(r.n <= weight.size(0) && r.d <= weight.size(1), "router: slice exceeds stored shape");
  TORCH_CHECK(!m_switch || r.k == 1, "switch_top1 routes each token to exactly one expert");
  at::Tensor x = r.x;
  if (m_switch && m_jitter > 0 && is_training())
    x = x * at::empty_like(x).uniform_(1.0 - m_jitter, 1.0 + m_jitter);
  RouteDecision out;
  out.logits = at::linear(x, weight.narrow(0, 0, r.n).narrow(1, 0, r.d), bias.narrow(0, 0, r.n))
                   .to(at::kFloat);  // [N, n]
  out.probs = at::softmax(out.logits, -1);
  std::tie(out.weights, out.experts) = at::topk(out.probs, r.k, -1, /*largest=*/true,
                                                /*sorted=*/true);  // [N, k] each
  if (r.k > 1) out.weights = out.weights / out.weights.sum(-1, /*keepdim=*/true);
  return out;
}

}  // namespace automoe
