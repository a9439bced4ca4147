#pragma once
// fairseq's label-smoothed cross entropy: (1 - eps) * nll + (eps / V) * sum_v -log p_v per target
// token, padding ignored, summed over tokens (the caller divides by the token count).
#include <ATen/ATen.h>

namespace automoe {

struct LossSums {
  at::Tensor loss;   // scalar, summed over real target tokens (nats)
  at::Tensor nll;    // scalar, summed negative log-likelihood (nats)
  int64_t tokens = 0;
};

// logits [B, T, V], target [B, T] (padIndex marks padding).
// With overwriteLogits, the backward pass writes the gradient into the logits' own memory instead
// of a second [B, T, V] buffer (for 1024 tokens x 16k words: 65 MB, page-faulted afresh each step).
// Only for logits that nothing reads after backward (a training step's); ignored for a leaf.
LossSums labelSmoothedLoss(const at::Tensor& logits, const at::Tensor& target, double epsilon,
                           int64_t padIndex, bool overwriteLogits = false);

}  // namespace automoe
