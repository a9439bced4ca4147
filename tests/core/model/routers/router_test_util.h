#pragma once
// Helpers shared by the router tests: tiny MoE layers, a per-token reference of a decision, and
// subnet extraction by prefix slicing (what extractSubnet does, at the level of one layer).
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include "arch/arch_config.h"
#include "model/moe_layer.h"

namespace automoe::test {

inline MoeLayer makeLayer(const std::vector<std::string>& routers, MoeOptions o = {},
                          std::vector<int> dims = {32, 32, 32, 32, 32}, int64_t d = 16,
                          uint64_t seed = 21) {
  at::manual_seed(seed);
  return MoeLayer(d, std::move(dims), routers, std::move(o));
}

inline LayerArch layerArch(std::vector<int> dims, int k, const std::string& router) {
  LayerArch a;
  a.expertFfnDims = std::move(dims);
  a.topK = k;
  a.router = router;
  return a;
}

// y[t] = sum_j w[t,j] * expert_{e[t,j]}(x[t]) for the real tokens, one token at a time.
inline at::Tensor perTokenReference(const MoeLayerImpl& m, const at::Tensor& x, int64_t d,
                                    const LayerArch& a, const at::Tensor& valid,
                                    const RouteDecision& r) {
  at::Tensor y = at::zeros_like(x);
  for (int64_t t = 0; t < x.size(0); ++t) {
    if (valid.defined() && !valid[t].item<bool>()) continue;
    for (int64_t j = 0; j < r.experts.size(1); ++j) {
      if (r.active.defined() && !r.active[t][j].item<bool>()) continue;
      const int64_t e = r.experts[t][j].item<int64_t>();
      y[t] += r.weights[t][j].item<double>() *
              m.experts->at<ExpertImpl>(e).forward(x.narrow(0, t, 1), d, a.expertFfnDims[e], 0)[0];
    }
  }
  return y;
}

// Copies into every parameter and buffer of `sub` the prefix slice of the same-named tensor of
// `super`; false (with the name in `problem`) if one is missing or does not fit.
inline bool copyPrefix(const torch::nn::Module& super, torch::nn::Module& sub, std::string* problem) {
  const auto params = super.named_parameters(true);
  torch::NoGradGuard noGrad;
  for (auto& p : sub.named_parameters(true)) {
    const at::Tensor* src = params.find(p.key());
    if (!src || src->dim() != p.value().dim()) {
      *problem = p.key();
      return false;
    }
    at::Tensor s = *src;
    for (int64_t i = 0; i < s.dim(); ++i) {
      if (p.value().size(i) > s.size(i)) {
        *problem = p.key();
        return false;
      }
      s = s.narrow(i, 0, p.value().size(i));
    }
    p.value().copy_(s);
  }
  return true;
}

inline bool finite(const at::Tensor& t) { return t.defined() && at::isfinite(t).all().item<bool>(); }

inline double maxDiff(const at::Tensor& a, const at::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

}  // namespace automoe::test
