#pragma once
// Collective operations of data-parallel training, kept abstract so that the trainer does not
// depend on c10d headers; see GlooCollective.
#include <vector>

#include <ATen/ATen.h>

namespace automoe {

class Collective {
 public:
  virtual ~Collective() = default;
  virtual int rank() const = 0;
  virtual int worldSize() const = 0;
  // Sums the tensors element-wise over all ranks, in place. Implementations bucket small tensors
  // into few calls; every rank must pass tensors of the same shapes in the same order.
  virtual void allReduceSum(std::vector<at::Tensor>& tensors) = 0;
  // Element-wise maximum over all ranks, in place (one tensor).
  virtual void allReduceMax(at::Tensor& tensor) = 0;
};

}  // namespace automoe
