#pragma once
// GShard top-1/top-2 gating (fairseq/torchscale top1gating/top2gating), shared by gshard_top2 and
// the per-stratum gates of the stratified router. Experts a gate must not reach have logit -inf.
#include <cstdint>
#include <string>

#include <ATen/ATen.h>

#include "model/router.h"

namespace automoe {

struct GShardGateSpec {
  std::string secondPolicy = "sampling";  // sampling | all | random (noise only in training)
  double capacityFactor = 1.0;            // top-1: int(cf * ceil(S / visible))
  double evalCapacityFraction = 1.0;      // inference: ceil(fraction * S)
};

// logits [T, n] float32; k in {1, 2} (<= visible); `tokens` = S, the real tokens routed together;
// `visible` = experts the gate may choose. Fills logits, probs (softmax over all n, 0 where -inf),
// experts [T, k] (first = argmax), weights = raw probabilities, renormalised by the layer after
// capacity drops (top-2), `active` for the 'random' policy, and the capacity: training
// 2 * ceil(S / visible) (top-2) or int(cf * ceil(S / visible)) (top-1). No losses.
RouteDecision gshardGate(const at::Tensor& logits, int64_t k, int64_t tokens, int64_t visible,
                         const GShardGateSpec& spec, bool training);

}  // namespace automoe
