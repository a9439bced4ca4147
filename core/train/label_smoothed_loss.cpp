#include "train/label_smoothed_loss.h"

#include <algorithm>
#include <cmath>

#include <torch/csrc/autograd/custom_function.h>

namespace automoe {

namespace {

// Rows per block: a block of fp32 logits stays in the L2 cache (16 x 16k x 4 B = 1 MB) while the
// few passes over it run, so each logit is read from memory once per direction.
int64_t blockRows(int64_t V) { return std::max<int64_t>(1, (1 << 18) / std::max<int64_t>(1, V)); }

// The loss over a [R, V] block of logits as one autograd node, computed block by block of rows.
// Forward: per row the log-sum-exp, the sum of logits and the target's logit; then
//   nll_r = lse_r - x_rt,   smooth_r = sum_v -log p_rv = V lse_r - sum_v x_rv.
// Backward writes the gradient in one sweep,
//   d loss / d x = s_r * (softmax(x) - (1 - eps) * onehot(t) - eps / V),   s_r = w_r * upstream,
// optionally into the logits' own memory. Nothing [R, V]-sized is kept between the passes.
class SmoothedCrossEntropy : public torch::autograd::Function<SmoothedCrossEntropy> {
 public:
  // logits [R, V] (any float type), target [R] (long), weight [R] (1 = real token, 0 = pad).
  // Returns {loss, nll}, both summed over rows; nll is not differentiable.
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, const at::Tensor& logits,
                                                const at::Tensor& target, const at::Tensor& weight,
                                                double epsilon, bool overwrite) {
    const int64_t R = logits.size(0), V = logits.size(1), step = blockRows(V);
    const at::Tensor x = logits.contiguous();
    at::Tensor lse = at::empty({R}, x.options().dtype(at::kFloat));   // [R]
    at::Tensor sumx = at::empty({R}, x.options().dtype(at::kFloat));  // [R]
    for (int64_t r0 = 0; r0 < R; r0 += step) {
      const int64_t n = std::min(step, R - r0);
      const at::Tensor xb = x.narrow(0, r0, n).to(at::kFloat);  // [n, V]
      const at::Tensor m = xb.amax(1, /*keepdim=*/true);  // [n, 1]
      lse.narrow(0, r0, n).copy_((xb - m).exp_().sum(1).log_().add_(m.squeeze(1)));  // [n, 1] -> [n]
      sumx.narrow(0, r0, n).copy_(xb.sum(1));
    }
    const at::Tensor picked = x.gather(1, target.unsqueeze(1)).squeeze(1).to(at::kFloat);  // [R, 1] -> [R]
    const at::Tensor nll = ((lse - picked) * weight).sum();
    const at::Tensor smooth = ((static_cast<double>(V) * lse - sumx) * weight).sum();
    const at::Tensor loss = (1.0 - epsilon) * nll + (epsilon / static_cast<double>(V)) * smooth;
    ctx->save_for_backward({x, target, weight, lse});
    ctx->saved_data["epsilon"] = epsilon;
    // Overwrite only memory that is the caller's own logits (not a contiguous copy made here).
    ctx->saved_data["overwrite"] = overwrite && x.is_same(logits);
    ctx->mark_non_differentiable({nll});
    return {loss, nll};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& x = saved[0];       // [R, V]
    const at::Tensor& target = saved[1];  // [R]
    const at::Tensor& weight = saved[2];  // [R]
    const at::Tensor& lse = saved[3];     // [R]
    const double epsilon = ctx->saved_data["epsilon"].toDouble();
    const bool overwrite = ctx->saved_data["overwrite"].toBool();
    const int64_t R = x.size(0), V = x.size(1), step = blockRows(V);
    const double g = grads[0].item<double>();
    // A positive scale folds into the exponent: s * softmax = exp(x - lse + log s), and rows with
    // s = 0 (padding) become exp(-inf) = 0. Otherwise the scale is applied in a pass of its own.
    const bool folded = g > 0;
    const at::Tensor rowScale = folded ? weight * g : weight;  // [R]
    const at::Tensor shift = lse - rowScale.log();  // [R]
    const at::Tensor smoothing = rowScale * (epsilon / static_cast<double>(V));  // [R]
    const at::Tensor hit = -(1.0 - epsilon) * rowScale;                       // [R]
    at::Tensor dx = overwrite ? x : at::empty_like(x);  // [R, V]
    for (int64_t r0 = 0; r0 < R; r0 += step) {
      const int64_t n = std::min(step, R - r0);
      at::Tensor out = dx.narrow(0, r0, n);  // [n, V]
      const bool direct = out.scalar_type() == at::kFloat;
      at::Tensor p = direct ? out : at::empty(out.sizes(), out.options().dtype(at::kFloat));  // [n, V]
      at::sub_out(p, x.narrow(0, r0, n), shift.narrow(0, r0, n).unsqueeze(1)).exp_();  // [n] -> [n, 1]
      p.sub_(smoothing.narrow(0, r0, n).unsqueeze(1));  // [n] -> [n, 1]
      p.scatter_add_(1, target.narrow(0, r0, n).unsqueeze(1), hit.narrow(0, r0, n).unsqueeze(1));  // [n] -> [n, 1]
      if (!folded) p.mul_(g);
      if (!direct) out.copy_(p);
    }
    return {dx, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

LossSums labelSmoothedLoss(const at::Tensor& logits, const at::Tensor& target, double epsilon,
                           int64_t padIndex, bool overwriteLogits) {
  const int64_t V = logits.size(-1);
  const at::Tensor tgt = target.reshape({-1});        // [B, T] -> [B*T]
  const at::Tensor keep = tgt.ne(padIndex);           // [B*T]
  const at::Tensor weight = keep.to(at::kFloat);      // [B*T]
  const bool overwrite = overwriteLogits && !logits.is_leaf();
  const auto out = SmoothedCrossEntropy::apply(logits.reshape({-1, V}), tgt, weight, epsilon, overwrite);  // [B, T, V] -> [B*T, V]
  LossSums s;
  s.loss = out[0];
  s.nll = out[1];
  s.tokens = keep.sum().item<int64_t>();
  return s;
}

}  // namespace automoe
