#pragma once
// Adam (fairseq flavour: betas, eps, L2 weight decay on the updated entries) that only spends time
// on what the sampled subnet used. A parameter without a gradient (an unsampled expert, a layer
// past the sampled depth) is skipped entirely; for the others, the update is restricted to the
// smallest leading box (prefix slice in every dimension) that holds all non-zero gradient entries:
// exactly the subnet's slice, since weight sharing is by prefix slicing. Unsampled entries keep
// their moments and values untouched (AutoMoE's optimizer decays and applies the momentum of every
// one of the 317M supernet weights at every update, so unsampled weights drift).
//
// Bias correction uses a step count per parameter (how often that parameter was updated).
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace automoe {

class Bf16WeightShadow;

struct SliceAdamOptions {
  double beta1 = 0.9;
  double beta2 = 0.98;
  double eps = 1e-8;
  double weightDecay = 0.0;
  // Allocate and zero every parameter's moments on the first step, instead of when a parameter
  // first gets a gradient (then only the pages its boxes write are committed). Eager: the memory is
  // committed, and first-touch page faults paid, once at the start; lazy: peak memory stays lower
  // while few subnets have been sampled, but the faults land in the early updates.
  bool eagerState = true;
};

class SliceAdam {
 public:
  struct State {
    at::Tensor expAvg;     // same shape as the parameter; allocated on first update
    at::Tensor expAvgSq;
    int64_t steps = 0;
  };

  SliceAdam(std::vector<std::pair<std::string, at::Tensor>> params, SliceAdamOptions options);

  // A gradient for the leading box of parameter `index` (box = grad's shape), e.g. from
  // SliceRecorder::boxGradients().
  struct BoxGrad {
    size_t index;
    at::Tensor grad;
  };

  // Applies one update with learning rate `lr`: each BoxGrad updates its box; every other
  // parameter with a .grad() updates the leading box of its non-zero gradient entries. Every
  // gradient counts gradScale times (gradient clipping, without a pass over the gradients).
  // Returns the number of parameter entries updated.
  int64_t step(double lr, const std::vector<BoxGrad>& boxes = {}, double gradScale = 1.0);
  // Keeps `shadow` (not owned; nullptr: none) in step with the parameters it covers: each update
  // writes the new values' bf16 roundings into it too (bf16_weight_shadow.h).
  void setBf16Shadow(Bf16WeightShadow* shadow) { m_shadow = shadow; }
  // Index of a parameter (by identity), or -1.
  int64_t indexOf(const at::Tensor& param) const;

  const std::vector<std::pair<std::string, at::Tensor>>& params() const { return m_params; }
  std::vector<State>& states() { return m_states; }
  const std::vector<State>& states() const { return m_states; }

  // Leading box of `grad` holding every non-zero entry (all zeros -> empty vector).
  static std::vector<int64_t> nonZeroExtent(const at::Tensor& grad);

 private:
  std::vector<std::pair<std::string, at::Tensor>> m_params;
  std::vector<State> m_states;
  SliceAdamOptions m_options;
  bool m_allocated = false;
  Bf16WeightShadow* m_shadow = nullptr;
  void allocateStates();
  void update(size_t index, const at::Tensor& grad, double lr, double gradScale);
};

}  // namespace automoe
