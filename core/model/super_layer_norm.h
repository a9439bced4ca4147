#pragma once
// LayerNorm whose affine parameters are prefix-sliced to the sampled width (eps 1e-5).
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace automoe {

class SuperLayerNormImpl : public torch::nn::Module {
 public:
  explicit SuperLayerNormImpl(int64_t dim);
  void reset();
  at::Tensor forward(const at::Tensor& x, int64_t dim) const;  // [..., dim] -> [..., dim]

  int64_t dim;
  at::Tensor weight;  // [dim]
  at::Tensor bias;    // [dim]
};
TORCH_MODULE(SuperLayerNorm);

}  // namespace automoe
