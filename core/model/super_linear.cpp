#include "model/super_linear.h"

#include <torch/nn/init.h>

#include "model/slice_recorder.h"
#include "model/few_row_linear.h"

namespace automoe {

SuperLinearImpl::SuperLinearImpl(const SuperLinearOptions& o) : options(o) { reset(); }

void SuperLinearImpl::reset() {
  weight = register_parameter("weight", at::empty({options.out_features(), options.in_features()}));
  if (options.bias()) bias = register_parameter("bias", at::empty({options.out_features()}));
  resetParameters();
}

void SuperLinearImpl::resetParameters() {
  torch::NoGradGuard noGrad;
  torch::nn::init::xavier_uniform_(weight);
  if (bias.defined()) bias.zero_();
}

at::Tensor SuperLinearImpl::forward(const at::Tensor& x, int64_t in, int64_t out) const {
  TORCH_CHECK(in <= options.in_features() && out <= options.out_features(), "SuperLinear: slice ",
              out, "x", in, " exceeds stored ", options.out_features(), "x", options.in_features());
  TORCH_CHECK(x.size(-1) == in, "SuperLinear: input width ", x.size(-1), " != ", in);
  const at::Tensor w = SliceRecorder::slice(weight, {out, in});  // [out, in]
  const at::Tensor b = bias.defined() ? SliceRecorder::slice(bias, {out}) : at::Tensor();
  return linearFewRows(x, w, b);
}

}  // namespace automoe
