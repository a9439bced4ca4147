#pragma once
// What a search over output sequences needs from a decoder: the next-token log-probabilities of
// every live row, and a way to keep, drop or duplicate rows of its incremental state. The beam
// search drives any implementation (the model, or a fixed table in tests).
#include <ATen/ATen.h>

namespace automoe {

class DecoderStepper {
 public:
  virtual ~DecoderStepper() = default;
  // tokens [N, 1]: the last token of each of the N live rows -> log-probabilities [N, V].
  virtual at::Tensor step(const at::Tensor& tokens) = 0;
  // order [N'] int64: row i of the new state is row order[i] of the old one.
  virtual void reorder(const at::Tensor& order) = 0;
  // Where index and token tensors for this stepper must live.
  virtual at::Device device() const { return at::kCPU; }
};

}  // namespace automoe
