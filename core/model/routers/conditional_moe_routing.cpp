#include "model/routers/conditional_moe_routing.h"

#include <cmath>

namespace automoe {

ConditionalMoeRoutingImpl::ConditionalMoeRoutingImpl(int64_t e, int64_t f, CmrOptions o)
    : embedDim(e), ffnDim(f), options(o) {
  reset();
}

void ConditionalMoeRoutingImpl::reset() {
  dense = register_module("dense", Expert(embedDim, ffnDim));
  gate = register_module("gate", SuperLinear(SuperLinearOptions(embedDim, 1)));
}

CmrOutput ConditionalMoeRoutingImpl::forward(const at::Tensor& x, int64_t d, int64_t denseWidth,
                                             const at::Tensor& moe, const at::Tensor& real,
                                             double activationDropout) const {
  const at::Tensor xr = real.defined() ? x.index_select(0, real) : x;  // [V, d]
  at::Tensor g = at::sigmoid(gate->forward(xr, d, 1));                 // [V, 1]
  if (is_training() && options.gateDropout > 0) g = at::dropout(g, options.gateDropout, true);
  const at::Tensor ffn =
      dense->forward(xr, d, std::min<int64_t>(denseWidth, ffnDim), activationDropout);
  const at::Tensor moer = real.defined() ? moe.index_select(0, real) : moe;  // [V, d]
  const at::Tensor gx = g.to(x.scalar_type());
  const at::Tensor mixed = (1 - gx) * ffn + gx * moer;  // [V, d]
  CmrOutput out;
  out.y = real.defined() ? at::zeros_like(x).index_copy(0, real, mixed) : mixed;
  out.gate = real.defined() ? at::zeros({x.size(0), 1}, g.options()).index_copy(0, real, g) : g;
  out.loss = xr.size(0) > 0 ? (g.to(at::kFloat).mean() - options.target).abs()
                            : at::zeros({}, x.options().dtype(at::kFloat));
  return out;
}

}  // namespace automoe
