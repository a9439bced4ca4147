#include "train/label_smoothed_loss.h"

namespace automoe {

LossSums labelSmoothedLoss(const at::Tensor& logits, const at::Tensor& target, double epsilon,
                           int64_t padIndex) {
  const int64_t V = logits.size(-1);
  const at::Tensor lprobs = at::log_softmax(logits.to(at::kFloat), -1).reshape({-1, V});  // [B*T, V]
  const at::Tensor tgt = target.reshape({-1});                                             // [B*T]
  const at::Tensor keep = tgt.ne(padIndex);
  const at::Tensor nll = -lprobs.gather(1, tgt.unsqueeze(1)).squeeze(1);  // [B*T]
  const at::Tensor smooth = -lprobs.sum(-1);                               // [B*T]
  const at::Tensor mask = keep.to(at::kFloat);
  LossSums s;
  s.nll = (nll * mask).sum();
  s.loss = (1.0 - epsilon) * s.nll + (epsilon / static_cast<double>(V)) * (smooth * mask).sum();
  s.tokens = keep.sum().item<int64_t>();
  return s;
}

}  // namespace automoe
