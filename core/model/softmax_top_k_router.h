#pragma once
// Linear router with softmax over the sampled experts and top-k selection (AutoMoE's SwitchFNN
// gate, GShard/SMoE-style for k > 1). Type "softmax_topk": for k > 1 the k weights are
// renormalised to sum to 1; for k = 1 the weight is the raw probability, so the task loss still
// trains the router (AutoMoE's is_scale_prob); capacity from the model-wide capacity_factor in
// training. Type "switch_top1": the Switch Transformer gate, top-1 with the raw probability,
// multiplicative jitter U(1-eps, 1+eps) on the router input during training and its own capacity
// ceil(cf * tokens / n) (routers.switch_top1); a dropped token gets no expert output, so the
// layer's residual passes it through unchanged. Both: balance loss + z-loss.
#include "model/router.h"

namespace automoe {

class SoftmaxTopKRouter : public RouterBase {
 public:
  SoftmaxTopKRouter(int64_t embedDim, int64_t numExperts, bool switchStyle,
                    const RouterSettings& settings);
  RouteDecision route(const RouteRequest& request) const override;

  at::Tensor weight;  // [numExperts, embedDim]
  at::Tensor bias;    // [numExperts]

 private:
  bool m_switch;
  RouterSettings m_settings;
};

}  // namespace automoe
