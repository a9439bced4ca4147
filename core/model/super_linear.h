#pragma once
// Linear layer with weight sharing by prefix slicing (HAT's LinearSuper): a subnet with widths
// (in, out) uses weight[:out, :in] and bias[:out]. The slice is a strided view, so BLAS reads it
// in place (leading dimension = stored in-width) without a copy.
#include <ATen/ATen.h>
#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace automoe {

struct SuperLinearOptions {
  SuperLinearOptions(int64_t inFeatures, int64_t outFeatures)
      : in_features_(inFeatures), out_features_(outFeatures) {}
  TORCH_ARG(int64_t, in_features);
  TORCH_ARG(int64_t, out_features);
  TORCH_ARG(bool, bias) = true;
};

class SuperLinearImpl : public torch::nn::Module {
 public:
  explicit SuperLinearImpl(const SuperLinearOptions& options);
  void reset();
  void resetParameters();  // xavier-uniform over the whole stored matrix, zero bias (HAT)

  // x: [..., in] -> [..., out]
  at::Tensor forward(const at::Tensor& x, int64_t in, int64_t out) const;

  SuperLinearOptions options;
  at::Tensor weight;  // [out_features, in_features]
  at::Tensor bias;    // [out_features] or undefined
};
TORCH_MODULE(SuperLinear);

}  // namespace automoe
