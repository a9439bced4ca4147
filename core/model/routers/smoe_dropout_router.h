#pragma once
// SMoE-Dropout (Chen et al., ICLR 2023): a randomly initialised linear router that is never
// trained (its parameters have requires_grad = false), and a number of experts per token that
// grows during training: k(t) = clip(round((k_max - k_min) t / T) + k_min, k_min, k_max)
// ("linear_increase"; "constant" keeps k_min). k_min defaults to the subnet's top_k, k_max to all
// n sampled experts. Inference is "self-slimmable": any k, by default the subnet's top_k. Weights:
// softmax over the k selected logits. No trainable auxiliary loss (the router is frozen); the
// balance term is reported detached, for monitoring.
#include "model/router.h"

namespace automoe {

class SmoeDropoutRouter : public RouterBase {
 public:
  SmoeDropoutRouter(int64_t embedDim, int64_t numExperts, const RouterSettings& settings);
  RouteDecision route(const RouteRequest& request) const override;

  // Experts per token for this request (training schedule or inference k).
  int64_t topK(const RouteRequest& request) const;

  at::Tensor weight;  // [numExperts, embedDim], frozen
  at::Tensor bias;    // [numExperts], frozen

 private:
  SmoeDropoutOptions m_options;
  double m_capacityFactor;
};

}  // namespace automoe
