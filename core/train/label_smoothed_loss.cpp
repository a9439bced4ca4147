#include "train/label_smoothed_loss.h"

#include <cmath>

#include <torch/csrc/autograd/custom_function.h>

namespace automoe {

namespace {

// The loss over a [R, V] block of logits as one autograd node. Forward: one log_softmax pass plus
// row reductions. Backward writes the gradient in one pass,
//   d loss / d x = w_r * (softmax(x) - (1 - eps) * onehot(t) - eps / V),
// instead of autograd's chain through gather, sum and log_softmax (a zero fill, a scatter, an add
// and the log_softmax backward, each a pass over the 16k-wide rows).
class SmoothedCrossEntropy : public torch::autograd::Function<SmoothedCrossEntropy> {
 public:
  // logits [R, V] (any float type), target [R] (long), weight [R] (1 = real token, 0 = pad).
  // Returns {loss, nll}, both summed over rows; nll is not differentiable.
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, const at::Tensor& logits,
                                                const at::Tensor& target, const at::Tensor& weight,
                                                double epsilon) {
    const int64_t V = logits.size(1);
    const at::Tensor lprobs = at::log_softmax(logits, 1, at::kFloat);       // [R, V]
    const at::Tensor picked = lprobs.gather(1, target.unsqueeze(1)).squeeze(1);  // [R, 1] -> [R]
    const at::Tensor nll = -(picked * weight).sum();
    const at::Tensor smooth = -(lprobs.sum(1) * weight).sum();
    const at::Tensor loss = (1.0 - epsilon) * nll + (epsilon / static_cast<double>(V)) * smooth;
    ctx->save_for_backward({lprobs, target, weight});
    ctx->saved_data["epsilon"] = epsilon;
    ctx->saved_data["type"] = static_cast<int64_t>(logits.scalar_type());
    ctx->mark_non_differentiable({nll});
    return {loss, nll};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& lprobs = saved[0];  // [R, V]
    const at::Tensor& target = saved[1];  // [R]
    const at::Tensor& weight = saved[2];  // [R]
    const double epsilon = ctx->saved_data["epsilon"].toDouble();
    const auto type = static_cast<at::ScalarType>(ctx->saved_data["type"].toInt());
    const int64_t V = lprobs.size(1);
    const double g = grads[0].item<double>();
    // A positive scale folds into the exponent: s * softmax = exp(lprobs + log s), and rows with
    // s = 0 (padding) become exp(-inf) = 0. Otherwise the scale is applied in a pass of its own.
    const bool folded = g > 0;
    const at::Tensor rowScale = folded ? weight * g : weight;  // [R]
    at::Tensor dx = (lprobs + rowScale.log().unsqueeze(1)).exp_();  // [R] -> [R, 1]; [R, V]
    dx.sub_((rowScale * (epsilon / static_cast<double>(V))).unsqueeze(1));  // [R] -> [R, 1]
    dx.scatter_add_(1, target.unsqueeze(1), (-(1.0 - epsilon) * rowScale).unsqueeze(1));  // [R] -> [R, 1]
    if (!folded) dx.mul_(g);
    return {dx.to(type), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

LossSums labelSmoothedLoss(const at::Tensor& logits, const at::Tensor& target, double epsilon,
                           int64_t padIndex) {
  const int64_t V = logits.size(-1);
  const at::Tensor tgt = target.reshape({-1});        // [B, T] -> [B*T]
  const at::Tensor keep = tgt.ne(padIndex);           // [B*T]
  const at::Tensor weight = keep.to(at::kFloat);      // [B*T]
  const auto out = SmoothedCrossEntropy::apply(logits.reshape({-1, V}), tgt, weight, epsilon);  // [B, T, V] -> [B*T, V]
  LossSums s;
  s.loss = out[0];
  s.nll = out[1];
  s.tokens = keep.sum().item<int64_t>();
  return s;
}

}  // namespace automoe
