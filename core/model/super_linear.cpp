#include "model/super_linear.h"

#include <torch/nn/init.h>

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
  // A full-size slice uses the parameter itself: a narrow() view would make backward allocate and
  // copy a whole zero gradient for every call.
  const bool full = out == options.out_features() && in == options.in_features();
  const at::Tensor w = full ? weight : weight.narrow(0, 0, out).narrow(1, 0, in);  // [out, in]
  const at::Tensor b = !bias.defined() ? at::Tensor()
                       : out == options.out_features() ? bias : bias.narrow(0, 0, out);
  return linearFewRows(x, w, b);  // at::linear, faster for few-row inference
}

}  // namespace automoe
