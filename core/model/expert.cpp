#include "model/expert.h"

#include "model/fast_dropout.h"
#include "model/gemm_friendly_relu.h"

namespace automoe {

ExpertImpl::ExpertImpl(int64_t e, int64_t f) : embedDim(e), ffnDim(f) { reset(); }

void ExpertImpl::reset() {
  fc1 = register_module("fc1", SuperLinear(SuperLinearOptions(embedDim, ffnDim)));
  fc2 = register_module("fc2", SuperLinear(SuperLinearOptions(ffnDim, embedDim)));
}

at::Tensor ExpertImpl::forward(const at::Tensor& x, int64_t d, int64_t f,
                               double activationDropout) const {
  at::Tensor h = gemmFriendlyRelu(fc1->forward(x, d, f));  // [N, f]
  if (activationDropout > 0 && is_training()) h = fastDropout(h, activationDropout, true);
  return fc2->forward(h, f, d);  // [N, d]
}

}  // namespace automoe
