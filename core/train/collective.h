#pragma once
// Collective operations of data-parallel training, kept abstract so that the trainer does not
// depend on c10d headers; see C10dCollective.
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace automoe {

class Collective {
 public:
  virtual ~Collective() = default;
  virtual int rank() const = 0;
  virtual int worldSize() const = 0;
  virtual std::string backendName() const = 0;  // recorded in provenance: "gloo", "nccl"
  // Sums the tensors element-wise over all ranks, in place. Implementations bucket small tensors
  // into few calls; every rank must pass tensors of the same shapes in the same order. Tensors
  // may live on any device; implementations move them where their backend needs them.
  virtual void allReduceSum(std::vector<at::Tensor>& tensors) = 0;
  // Element-wise maximum over all ranks, in place (one tensor).
  virtual void allReduceMax(at::Tensor& tensor) = 0;
};

}  // namespace automoe
