#include "model/moe_layer.h"

#include <cmath>
#include <torch/nn/modules/container/moduledict.h>

#include "arch/arch_config.h"

namespace automoe {

MoeLayerImpl::MoeLayerImpl(int64_t e, std::vector<int> dims, std::vector<std::string> types,
                           MoeOptions o)
    : embedDim(e), expertFfnDims(std::move(dims)), routerTypes(std::move(types)), options(o) {
  reset();
}

void MoeLayerImpl::reset() {
  experts = register_module("experts", torch::nn::ModuleList());
  for (int f : expertFfnDims) experts->push_back(Expert(embedDim, f));
  routers.clear();
  if (routerTypes.empty()) return;
  auto dict = register_module("routers", torch::nn::ModuleDict());
  for (const auto& t : routerTypes) {
    auto r = makeRouter(t, embedDim, static_cast<int64_t>(expertFfnDims.size()), options.routerJitter);
    dict->update({{t, r}});
    routers[t] = r;
  }
}

MoeOutput MoeLayerImpl::forward(const at::Tensor& x, int64_t d, const LayerArch& arch,
                                const at::Tensor& valid, const ForwardContext& ctx) const {
  const int64_t n = arch.numExperts();
  TORCH_CHECK(n >= 1 && n <= static_cast<int64_t>(expertFfnDims.size()), "MoE layer: ", n,
              " experts sampled, ", expertFfnDims.size(), " stored");
  if (n > 1) return forwardRouted(x, d, arch, valid, ctx);
  MoeOutput out;  // dense FFN: the single expert, no router (its softmax would be exactly 1)
  out.y = experts->at<ExpertImpl>(0).forward(x, d, arch.expertFfnDims[0],
                                                options.activationDropout);
  out.expertTokens = at::full({1}, valid.defined() ? valid.sum().item<int64_t>() : x.size(0),
                              at::kLong);
  return out;
}

MoeOutput MoeLayerImpl::forwardRouted(const at::Tensor& x, int64_t d, const LayerArch& arch,
                                      const at::Tensor& valid, const ForwardContext& ctx) const {
  const int64_t n = arch.numExperts(), k = arch.effectiveTopK(), N = x.size(0);
  auto it = routers.find(arch.router);
  TORCH_CHECK(it != routers.end(), "MoE layer has no weights for router \"", arch.router, "\"");
  const RouteDecision r = it->second->route({x, d, n, k, ctx});

  // Flatten the top-k choices to (token, expert, weight) assignments; drop padding tokens.
  at::Tensor token = at::arange(N, x.options().dtype(at::kLong))
                         .unsqueeze(1).expand({N, k}).reshape({N * k});  // [N] -> [N*k]
  at::Tensor expert = r.experts.reshape({N * k});                        // [N, k] -> [N*k]
  at::Tensor weight = r.weights.reshape({N * k});                        // [N, k] -> [N*k]
  at::Tensor validTokens;  // indices of the real tokens, for statistics
  if (valid.defined()) {
    const at::Tensor keep = valid.unsqueeze(1).expand({N, k}).reshape({N * k}).nonzero().squeeze(1);
    token = token.index_select(0, keep);
    expert = expert.index_select(0, keep);
    weight = weight.index_select(0, keep);
    validTokens = valid.nonzero().squeeze(1);
  }
  const int64_t numValid = validTokens.defined() ? validTokens.size(0) : N;

  // Group assignments by expert; the stable sort keeps token order inside each group.
  const at::Tensor order = std::get<1>(at::sort(expert, /*stable=*/true, 0, false));
  expert = expert.index_select(0, order);
  token = token.index_select(0, order);
  weight = weight.index_select(0, order);
  at::Tensor counts = at::bincount(expert, {}, n);  // [n]

  MoeOutput out;
  if (options.capacityFactor > 0 && is_training()) {
    const int64_t capacity = static_cast<int64_t>(
        std::ceil(options.capacityFactor * static_cast<double>(numValid * k) / static_cast<double>(n)));
    const at::Tensor starts = at::cumsum(counts, 0) - counts;                       // [n]
    const at::Tensor rank = at::arange(expert.size(0), expert.options()) - starts.index_select(0, expert);
    const at::Tensor kept = (rank < capacity).nonzero().squeeze(1);
    out.droppedTokens = expert.size(0) - kept.size(0);
    if (out.droppedTokens > 0) {
      expert = expert.index_select(0, kept);
      token = token.index_select(0, kept);
      weight = weight.index_select(0, kept);
      counts = at::bincount(expert, {}, n);
    }
  }
  out.expertTokens = counts;

  // One gather, one GEMM pair per expert on its contiguous block, one scatter.
  const at::Tensor xs = x.index_select(0, token);  // [M, d]
  const at::Tensor countsCpu = counts.to(at::kCPU).contiguous();
  const std::vector<int64_t> sizes(countsCpu.data_ptr<int64_t>(), countsCpu.data_ptr<int64_t>() + n);
  const std::vector<at::Tensor> parts = xs.split_with_sizes(sizes, 0);  // n x [c_e, d]
  std::vector<at::Tensor> blocks;
  for (int64_t e = 0; e < n; ++e) {
    if (sizes[e] == 0) continue;
    blocks.push_back(experts->at<ExpertImpl>(e).forward(parts[e], d, arch.expertFfnDims[e],
                                                       options.activationDropout));
  }
  at::Tensor y = at::zeros_like(x);
  if (!blocks.empty()) {
    const at::Tensor ys = at::cat(blocks, 0) * weight.to(x.scalar_type()).unsqueeze(1);  // [M, d]
    y = y.index_add(0, token, ys);
  }
  out.y = y;

  // Auxiliary losses over the real tokens, computed before any capacity drop.
  const at::Tensor probs = validTokens.defined() ? r.probs.index_select(0, validTokens) : r.probs;
  const at::Tensor logits = validTokens.defined() ? r.logits.index_select(0, validTokens) : r.logits;
  const at::Tensor top1 = validTokens.defined() ? r.experts.select(1, 0).index_select(0, validTokens)
                                                : r.experts.select(1, 0);
  if (numValid > 0) {
    const at::Tensor f = at::bincount(top1, {}, n).to(at::kFloat) / static_cast<double>(numValid);
    const at::Tensor P = probs.mean(0);  // [n]
    out.auxTerms["balance"] = (f * P).sum() * static_cast<double>(n);
    out.auxTerms["z"] = at::logsumexp(logits, -1).pow(2).mean();
  } else {
    out.auxTerms["balance"] = at::zeros({}, x.options().dtype(at::kFloat));
    out.auxTerms["z"] = at::zeros({}, x.options().dtype(at::kFloat));
  }
  out.auxLoss = options.balanceLossCoef * out.auxTerms["balance"] + options.zLossCoef * out.auxTerms["z"];
  return out;
}

}  // namespace automoe
