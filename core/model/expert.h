#pragma once
// One FFN expert: relu(x W1^T + b1) W2^T + b2 with its own weights, prefix-sliced to the sampled
// model width d and the expert's sampled FFN width f ("fractional experts" in AutoMoE).
#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "model/super_linear.h"

namespace automoe {

class ExpertImpl : public torch::nn::Module {
 public:
  ExpertImpl(int64_t embedDim, int64_t ffnDim);
  void reset();

  // x [N, d] -> [N, d]
  at::Tensor forward(const at::Tensor& x, int64_t d, int64_t f, double activationDropout) const;

  int64_t embedDim, ffnDim;
  SuperLinear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(Expert);

}  // namespace automoe
