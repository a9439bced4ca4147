#pragma once
// Routers decide, per token, which experts of a MoE layer process it and with which weight. Each
// router type is a module with its own weights (a layer whose search space lists several types
// holds one of each); the layer's sampled expert count n and width d slice them.
#include <memory>
#include <string>

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include "model/forward_context.h"

namespace automoe {

struct RouteRequest {
  at::Tensor x;      // [N, d] token features
  int64_t d = 0;     // sampled width
  int64_t n = 0;     // sampled expert count (> 1)
  int64_t k = 1;     // experts per token (<= n)
  ForwardContext ctx;  // training step (scheduled routers)
};

struct RouteDecision {
  at::Tensor logits;   // [N, n] router scores (float32)
  at::Tensor probs;    // [N, n] softmax of the scores (float32)
  at::Tensor experts;  // [N, k] int64 chosen experts, best first
  at::Tensor weights;  // [N, k] combine weights
};

class RouterBase : public torch::nn::Module {
 public:
  virtual RouteDecision route(const RouteRequest& request) const = 0;
};

// Creates the router of `type` (see arch/router_types) for stored width `embedDim` and
// `numExperts` experts. Throws std::invalid_argument for an unknown type.
std::shared_ptr<RouterBase> makeRouter(const std::string& type, int64_t embedDim,
                                       int64_t numExperts, double jitter);

}  // namespace automoe
