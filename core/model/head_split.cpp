#include "model/head_split.h"

#include <algorithm>

#include <torch/csrc/autograd/custom_function.h>

#include "model/cpu_gemm.h"

namespace automoe {

namespace {

std::vector<at::Tensor> headViews(const at::Tensor& fused, int64_t parts, int64_t heads) {
  const int64_t B = fused.size(0), T = fused.size(1), hd = fused.size(2) / parts / heads;
  const at::Tensor v = fused.view({B, T, parts, heads, hd});  // [B, T, P*q] -> [B, T, P, h, hd]
  std::vector<at::Tensor> out;
  for (int64_t p = 0; p < parts; ++p) out.push_back(v.select(2, p).transpose(1, 2));  // -> [B, h, T, hd]
  return out;
}

class SplitHeadsFunction : public torch::autograd::Function<SplitHeadsFunction> {
 public:
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, const at::Tensor& fused,
                                                int64_t parts, int64_t heads) {
    ctx->saved_data["sizes"] = fused.sizes().vec();
    ctx->saved_data["parts"] = parts;
    ctx->saved_data["heads"] = heads;
    return headViews(fused, parts, heads);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const std::vector<int64_t> sizes = ctx->saved_data["sizes"].toIntVector();  // B, T, P*q
    const int64_t parts = ctx->saved_data["parts"].toInt(), heads = ctx->saved_data["heads"].toInt();
    const int64_t B = sizes[0], T = sizes[1];
    const auto any = std::find_if(grads.begin(), grads.end(), [](const at::Tensor& g) { return g.defined(); });
    if (any == grads.end()) return {at::Tensor(), at::Tensor(), at::Tensor()};
    const at::Tensor g = emptyGemmFriendly(B * T, sizes[2], any->options());  // [B*T, P*q], padded rows
    const at::Tensor fused = g.view({B, T, sizes[2]});                           // -> [B, T, P*q]
    const std::vector<at::Tensor> dst = headViews(fused, parts, heads);          // P x [B, h, T, hd]
    for (int64_t p = 0; p < parts; ++p) {
      if (grads[p].defined())
        dst[p].copy_(grads[p]);
      else
        dst[p].zero_();
    }
    return {fused, at::Tensor(), at::Tensor()};
  }
};

}  // namespace

std::vector<at::Tensor> splitHeads(const at::Tensor& fused, int64_t parts, int64_t heads) {
  TORCH_CHECK(fused.dim() == 3 && parts > 0 && heads > 0 && fused.size(2) % (parts * heads) == 0,
              "splitHeads: ", fused.sizes(), " does not split into ", parts, " parts of ", heads, " heads");
  const at::Tensor f = fused.stride(2) == 1 ? fused : fused.contiguous();  // the split is a view
  if (!f.requires_grad() || !at::GradMode::is_enabled()) return headViews(f, parts, heads);
  return SplitHeadsFunction::apply(f, parts, heads);
}

}  // namespace automoe
