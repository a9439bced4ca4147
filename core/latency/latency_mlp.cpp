#include "latency/latency_mlp.h"

#include <cmath>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/modules/linear.h>

namespace automoe {

LatencyMlpImpl::LatencyMlpImpl(const LatencyMlpOptions& o) : options(o) { reset(); }

void LatencyMlpImpl::reset() {
  layers = register_module("layers", torch::nn::ModuleList());
  at::Generator gen = at::detail::createCPUGenerator(options.seed());
  int64_t in = options.in_features();
  for (int64_t i = 0; i <= options.hidden_layers(); ++i) {
    const int64_t out = i < options.hidden_layers() ? options.hidden_dim() : 1;
    torch::nn::Linear lin(torch::nn::LinearOptions(in, out));
    torch::NoGradGuard noGrad;
    // He-uniform for the ReLU layers, LeCun-uniform for the linear output; zero biases.
    const double bound = std::sqrt((i < options.hidden_layers() ? 6.0 : 3.0) / static_cast<double>(in));
    lin->weight.uniform_(-bound, bound, gen);
    lin->bias.zero_();
    layers->push_back(lin);
    in = out;
  }
  if (options.linear_skip()) skip = register_parameter("skip", at::zeros({options.in_features()}));
}

at::Tensor LatencyMlpImpl::forward(const at::Tensor& x) const {
  at::Tensor h = x;
  const size_t n = layers->size();
  for (size_t i = 0; i < n; ++i) {
    const auto& lin = layers->at<torch::nn::LinearImpl>(i);
    h = at::linear(h, lin.weight, lin.bias);  // [N, in] -> [N, out]
    if (i + 1 < n) h = at::relu(h);
  }
  h = h.squeeze(1);  // [N, 1] -> [N]
  return skip.defined() ? h + at::mv(x, skip) : h;
}

}  // namespace automoe
