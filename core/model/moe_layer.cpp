#include "model/moe_layer.h"

#include <algorithm>
#include <torch/nn/modules/container/moduledict.h>

#include "arch/arch_config.h"

namespace automoe {

MoeLayerImpl::MoeLayerImpl(int64_t e, std::vector<int> dims, std::vector<std::string> types,
                           MoeOptions o)
    : embedDim(e),
      expertFfnDims(std::move(dims)),
      routerTypes(std::move(types)),
      options(std::move(o)) {
  reset();
}

void MoeLayerImpl::reset() {
  experts = register_module("experts", torch::nn::ModuleList());
  for (int f : expertFfnDims) experts->push_back(Expert(embedDim, f));
  routers.clear();
  if (routerTypes.empty()) return;
  auto dict = register_module("routers", torch::nn::ModuleDict());
  const int64_t numExperts = static_cast<int64_t>(expertFfnDims.size());
  for (const auto& t : routerTypes) {
    auto r = makeRouter(t, embedDim, numExperts, options.router);
    dict->update({{t, r}});
    routers[t] = r;
  }
  if (options.router.options.cmr.enabled) {
    const int widest = *std::max_element(expertFfnDims.begin(), expertFfnDims.end());
    cmr = register_module("cmr", ConditionalMoeRouting(embedDim, widest, options.router.options.cmr));
  }
}

MoeOutput MoeLayerImpl::forward(const at::Tensor& x, int64_t d, const LayerArch& arch,
                                const at::Tensor& valid, const ForwardContext& ctx) const {
  const int64_t n = arch.numExperts();
  TORCH_CHECK(n >= 1 && n <= static_cast<int64_t>(expertFfnDims.size()), "MoE layer: ", n,
              " experts sampled, ", expertFfnDims.size(), " stored");
  if (n > 1) return forwardRouted(x, d, arch, valid, ctx);
  MoeOutput out;  // dense FFN: the single expert, no router (its softmax would be exactly 1)
  out.y =
      experts->at<ExpertImpl>(0).forward(x, d, arch.expertFfnDims[0], options.activationDropout);
  out.expertTokens =
      at::full({1}, valid.defined() ? valid.sum().item<int64_t>() : x.size(0), at::kLong);
  return out;
}

MoeOutput MoeLayerImpl::forwardRouted(const at::Tensor& x, int64_t d, const LayerArch& arch,
                                      const at::Tensor& valid, const ForwardContext& ctx) const {
  const int64_t n = arch.numExperts(), k = arch.effectiveTopK();
  auto it = routers.find(arch.router);
  TORCH_CHECK(it != routers.end(), "MoE layer has no weights for router \"", arch.router, "\"");
  const RouterBase& router = *it->second;
  const at::Tensor real =
      valid.defined() ? valid.nonzero().squeeze(1) : at::Tensor();  // [V, 1] -> [V]
  const RouteRequest request{x, d, n, k, ctx, real};

  MoeOutput out;
  at::Tensor y;
  if (router.multiPass()) {
    at::Tensor counts = at::zeros({n}, x.options().dtype(at::kLong));
    int64_t dropped = 0;
    const Dispatch passDispatch = [&](const at::Tensor& xs, const RouteDecision& decision) {
      DispatchResult r = dispatch(xs, d, arch, decision, at::Tensor());
      counts = counts + r.counts;
      dropped += r.dropped;
      return r;
    };
    MultiPassResult m = router.routeMultiPass(request, passDispatch);
    y = m.y;
    out.auxTerms = std::move(m.auxTerms);
    out.auxLoss = m.auxLoss;
    out.tokenPasses = m.tokenPasses;
    out.expertTokens = counts;
    out.droppedTokens = dropped;
  } else if (router.wantsDenseExperts(request)) {
    y = competitionStep(router, request, arch, out);
  } else {
    RouteDecision decision = router.route(request);
    DispatchResult r = dispatch(x, d, arch, decision, request.real);
    y = r.y;
    out.expertTokens = r.counts;
    out.droppedTokens = r.dropped;
    out.auxTerms = std::move(decision.auxTerms);
    out.auxLoss = decision.auxLoss;
  }

  const RouterOptions& routing = options.router.options;
  if (routing.masking.fom > 0) y = mask(y, routing.masking.fom);  // pads stay 0
  if (cmr) {
    const int widest = *std::max_element(arch.expertFfnDims.begin(), arch.expertFfnDims.end());
    const CmrOutput c = cmr->forward(x, d, widest, y, request.real, options.activationDropout);
    y = c.y;
    out.auxTerms["cmr"] = c.loss;
    out.auxLoss = out.auxLoss + routing.cmr.lossCoef * c.loss;
  }
  out.y = y;
  return out;
}

at::Tensor MoeLayerImpl::mask(const at::Tensor& rows, double p) const {
  if (p <= 0) return rows;
  if (!is_training()) return rows * (1.0 - p);  // inference: the expected value of the mask
  return rows * at::empty({rows.size(0), 1}, rows.options()).bernoulli_(1.0 - p);  // [M, 1] keep
}

DispatchResult MoeLayerImpl::dispatch(const at::Tensor& x, int64_t d, const LayerArch& arch,
                                      const RouteDecision& decision, const at::Tensor& real) const {
  const int64_t N = x.size(0), n = arch.numExperts(), k = decision.experts.size(1);
  // Flatten the choices to (token, expert, weight) assignments of the real tokens, choice-major.
  const at::Tensor base =
      real.defined() ? real : at::arange(N, x.options().dtype(at::kLong));  // [V]
  const int64_t V = base.size(0);
  at::Tensor expert =
      real.defined() ? decision.experts.index_select(0, real) : decision.experts;  // [V, k]
  at::Tensor weight =
      real.defined() ? decision.weights.index_select(0, real) : decision.weights;  // [V, k]
  at::Tensor token = k == 1 ? base : base.repeat({k});                             // [V] -> [k*V]
  expert = expert.t().reshape({k * V});  // [V, k] -> [k*V]
  weight = weight.t().reshape({k * V});  // [V, k] -> [k*V]
  if (decision.active.defined()) {
    const at::Tensor active =
        real.defined() ? decision.active.index_select(0, real) : decision.active;
    const at::Tensor keep =
        active.t().reshape({k * V}).nonzero().squeeze(1);  // [V, k] -> [k*V] -> [M]
    expert = expert.index_select(0, keep);
    token = token.index_select(0, keep);
    weight = weight.index_select(0, keep);
  }

  // Group assignments by expert; the stable sort keeps choice rank, then token order, per group.
  const at::Tensor order = std::get<1>(at::sort(expert, /*stable=*/true, 0, false));
  expert = expert.index_select(0, order);
  token = token.index_select(0, order);
  weight = weight.index_select(0, order);
  at::Tensor counts = at::bincount(expert, {}, n);  // [n]

  DispatchResult out;
  if (decision.capacity > 0) {
    const at::Tensor starts = at::cumsum(counts, 0) - counts;  // [n]
    const at::Tensor rank =
        at::arange(expert.size(0), expert.options()) - starts.index_select(0, expert);
    const at::Tensor kept = (rank < decision.capacity).nonzero().squeeze(1);  // [M', 1] -> [M']
    out.dropped = expert.size(0) - kept.size(0);
    if (out.dropped > 0) {
      expert = expert.index_select(0, kept);
      token = token.index_select(0, kept);
      weight = weight.index_select(0, kept);
      counts = at::bincount(expert, {}, n);
    }
  }
  if (decision.renormalize) {  // GShard: the kept weights of each token sum to 1
    const at::Tensor sums = at::zeros({N}, weight.options()).index_add(0, token, weight);  // [N]
    weight = weight / sums.index_select(0, token).clamp_min(1e-9);
  }
  out.counts = counts;

  // One gather, one GEMM pair per expert on its contiguous block, one scatter.
  const at::Tensor xs = x.index_select(0, token);  // [M, d]
  const at::Tensor countsCpu = counts.to(at::kCPU).contiguous();
  const std::vector<int64_t> sizes(countsCpu.data_ptr<int64_t>(),
                                   countsCpu.data_ptr<int64_t>() + n);
  const std::vector<at::Tensor> parts = xs.split_with_sizes(sizes, 0);  // n x [c_e, d]
  std::vector<at::Tensor> blocks;
  for (int64_t e = 0; e < n; ++e) {
    if (sizes[e] == 0) continue;
    blocks.push_back(experts->at<ExpertImpl>(e).forward(parts[e], d, arch.expertFfnDims[e],
                                                        options.activationDropout));
  }
  at::Tensor y = at::zeros_like(x);
  if (!blocks.empty()) {
    const at::Tensor ys =
        mask(at::cat(blocks, 0), options.router.options.masking.eom) *  // n x [c_e, d] -> [M, d]
        weight.to(x.scalar_type()).unsqueeze(1);                 // [M] -> [M, 1]
    y = y.index_add(0, token, ys);
  }
  out.y = y;
  return out;
}

at::Tensor MoeLayerImpl::competitionStep(const RouterBase& router, const RouteRequest& request,
                                         const LayerArch& arch, MoeOutput& out) const {
  const int64_t n = request.n, d = request.d;
  const at::Tensor xr = request.realRows(request.x);  // [V, d]
  std::vector<at::Tensor> outputs;
  for (int64_t e = 0; e < n; ++e)  // widths may differ per expert: one GEMM pair each
    outputs.push_back(experts->at<ExpertImpl>(e).forward(xr, d, arch.expertFfnDims[e],
                                                         options.activationDropout));
  const at::Tensor all = at::stack(outputs, 1);  // n x [V, d] -> [V, n, d]
  const RouteDecision decision = router.routeDense({xr, d, n, request.k, request.ctx}, all);
  const int64_t V = xr.size(0), k = decision.experts.size(1);
  at::Tensor chosen =
      all.gather(1, decision.experts.unsqueeze(-1).expand({V, k, d}));  // [V, n, d] -> [V, k, d]
  if (options.router.options.masking.eom > 0)
    chosen = mask(chosen.reshape({V * k, d}), options.router.options.masking.eom)  // [V, k, d] -> [V*k, d]
                 .view({V, k, d});                                          // [V*k, d] -> [V, k, d]
  const at::Tensor yr =
      (chosen * decision.weights.to(xr.scalar_type()).unsqueeze(-1)).sum(1);  // [V, k, d] -> [V, d]
  out.expertTokens =
      at::bincount(decision.experts.reshape({V * k}), {}, n);  // [V, k] -> [V*k] -> [n]
  out.auxTerms = decision.auxTerms;
  out.auxLoss = decision.auxLoss;
  out.competed = true;
  return request.real.defined() ? at::zeros_like(request.x).index_copy(0, request.real, yr) : yr;
}

}  // namespace automoe
