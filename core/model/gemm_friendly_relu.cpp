#include "model/gemm_friendly_relu.h"

#include <torch/csrc/autograd/custom_function.h>

#include "model/cpu_gemm.h"

namespace automoe {

namespace {

class GemmFriendlyReluFunction : public torch::autograd::Function<GemmFriendlyReluFunction> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x) {
    at::Tensor y = at::relu(x);  // [N, f]
    ctx->save_for_backward({y});
    return y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const at::Tensor y = ctx->get_saved_variables()[0];  // [N, f]
    const at::Tensor& g = grads[0];                      // [N, f], any layout
    at::Tensor dx = emptyGemmFriendly(y.size(0), y.size(1), g.options());  // [N, f], padded rows
    at::threshold_backward_out(dx, g, y, 0);  // g where y > 0, else 0 (as relu's own backward)
    return {dx};
  }
};

}  // namespace

at::Tensor gemmFriendlyRelu(const at::Tensor& x) {
  TORCH_CHECK(x.dim() == 2, "gemmFriendlyRelu: a 2-D input, got ", x.dim(), "-D");
  if (!x.requires_grad() || !at::GradMode::is_enabled() || !x.device().is_cpu() || x.scalar_type() != at::kFloat)
    return at::relu(x);
  return GemmFriendlyReluFunction::apply(x);
}

}  // namespace automoe
