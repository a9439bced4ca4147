#pragma once
// The latency predictor's regressor: an MLP (Linear -> ReLU) x hiddenLayers -> Linear(1) over
// normalised features, plus (linear_skip) a linear term of the features: latency is close to
// additive in what each layer reads, the MLP then only learns the corrections. Initialised from
// its own seeded generator (the global RNG is untouched).
#include <cstdint>

#include <ATen/ATen.h>
#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

namespace automoe {

struct LatencyMlpOptions {
  explicit LatencyMlpOptions(int64_t inFeatures) : in_features_(inFeatures) {}
  TORCH_ARG(int64_t, in_features);
  TORCH_ARG(int64_t, hidden_dim) = 128;
  TORCH_ARG(int64_t, hidden_layers) = 2;
  TORCH_ARG(uint64_t, seed) = 1;
  TORCH_ARG(bool, linear_skip) = true;
};

class LatencyMlpImpl : public torch::nn::Module {
 public:
  explicit LatencyMlpImpl(const LatencyMlpOptions& options);
  void reset();

  // x [N, F] -> [N]
  at::Tensor forward(const at::Tensor& x) const;

  LatencyMlpOptions options;
  torch::nn::ModuleList layers{nullptr};
  at::Tensor skip;  // [F] linear term (linear_skip), zero-initialised
};
TORCH_MODULE(LatencyMlp);

}  // namespace automoe
