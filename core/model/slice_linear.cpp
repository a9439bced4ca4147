#include "model/slice_linear.h"

#include <torch/csrc/autograd/custom_function.h>

#include "model/bf16_autocast.h"
#include "model/bf16_products.h"
#include "model/bf16_weight_shadow.h"
#include "model/column_sums.h"
#include "model/cpu_gemm.h"
#include "model/onednn_bf16_matmul.h"
#include "model/slice_recorder.h"

namespace automoe {

namespace {

// oneDNN (bf16 products) builds and caches a kernel per problem shape; with a row count that
// differs on every call (tokens per expert, per batch) it rebuilds each time. Padding the rows to
// a multiple of kRowQuantum makes shapes recur (measured: 150-209 rows x 640 -> 2048, bf16, fresh
// shapes 300 GFLOP/s, padded to 32 rows 850-920 GFLOP/s). Coarser padding wastes more rows but
// needs fewer kernels; bf16 MoE updates of the peer configuration (1 thread, kernel cache 4096,
// see onednn_kernel_cache.h), updates 3-10 / 21-40: 32 rows 1.71 / 1.32 s, 64 rows 1.62 / 1.30 s,
// 128 rows 1.61 / 1.29 s. With 64, a 170-row expert block gets 22 padding rows (13%), not 86.
constexpr int64_t kRowQuantum = 64;

// `t` [M, c] in `type` with zero rows appended up to `rows` (one conversion pass).
at::Tensor padRows(const at::Tensor& t, int64_t rows, at::ScalarType type) {
  if (rows == t.size(0)) return t.to(type);
  at::Tensor out = at::empty({rows, t.size(1)}, t.options().dtype(type));  // [rows, c]
  out.narrow(0, 0, t.size(0)).copy_(t);
  out.narrow(0, t.size(0), rows - t.size(0)).zero_();
  return out;
}

// fp32 products on the CPU go through cpuMatmul when it is set to oneDNN (see cpu_gemm.h).
bool viaCpuGemm(const at::Tensor& a, const at::Tensor& w) {
  return cpuGemm() == CpuGemm::OneDnn && a.device().is_cpu() && a.scalar_type() == at::kFloat &&
         w.scalar_type() == at::kFloat;
}

class SliceLinearFunction : public torch::autograd::Function<SliceLinearFunction> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight,
                            const c10::optional<at::Tensor>& biasArg) {  // an input only if defined
    const at::Tensor bias = biasArg.has_value() ? *biasArg : at::Tensor();
    const int64_t in = weight.size(1), out = weight.size(0);
    const at::ScalarType cast = autocastTypeFor(x.device());
    const bool lower = cast != at::ScalarType::Undefined && weight.is_floating_point() && cast != weight.scalar_type();
    at::Tensor x2 = x.reshape({-1, in});  // [..., in] -> [M, in]
    at::Tensor w = weight;
    at::Tensor b = bias;
    const int64_t M = x2.size(0);
    // bf16 products through fp32 where LibTorch has no fast bf16 GEMM (bf16_products.h). The
    // weight then rounds to bf16 values kept in fp32 (one pass), and no rows are padded (the
    // padding serves oneDNN's bf16 kernel cache).
    const bool viaFloat = lower && cast == at::kBFloat16 && weight.scalar_type() == at::kFloat &&
                          bf16ProductsViaFloat(x.device());
    // bf16 products on the CPU straight through oneDNN, one kernel for all shapes, no padding rows
    // (onednn_bf16_matmul.h); LibTorch's products where that is not available.
    const bool direct = lower && !viaFloat && cast == at::kBFloat16 && x.device().is_cpu() &&
                        oneDnnBf16MatmulAvailable();
    // The weight's bf16 values from the active shadow, if it keeps this weight (no cast pass).
    Bf16WeightShadow* const shadow = direct ? Bf16WeightShadow::active() : nullptr;
    const at::Tensor shadowed = shadow != nullptr ? shadow->bf16Of(weight) : at::Tensor();
    if (lower) {
      const int64_t q = x.device().is_cpu() && !viaFloat && !direct ? kRowQuantum : 1;
      x2 = padRows(x2, (M + q - 1) / q * q, cast);  // [M, in] -> [Mp, in]
      w = viaFloat ? roundedToBf16(w) : shadowed.defined() ? shadowed : w.to(cast);
      if (b.defined()) b = b.to(cast);
    }
    at::Tensor y;
    if (viaFloat) {
      y = bf16MatmulViaFloat(x2, false, w, true, b);  // [M, in] x [out, in]^T -> [M, out]
    } else if (direct) {
      y = oneDnnBf16Matmul(x2, false, w, true, b);  // [M, in] x [out, in]^T -> [M, out]
    } else if (viaCpuGemm(x2, w)) {
      y = cpuMatmul(x2, false, w, true);  // [M, in] x [out, in]^T -> [M, out]
      if (b.defined()) y.add_(b);
    } else {
      y = (b.defined() ? at::addmm(b, x2, w.t()) : at::mm(x2, w.t())).narrow(0, 0, M);  // [M, out]
    }
    // The input as computed with (a cast copy when lowered); the weight as given, a view: a cast
    // copy kept for backward would hold every used weight twice until backward (up to 0.6 GB for
    // AutoMoE's largest subnets); backward casts it again instead (measured: keeping the copy made
    // the bf16 MoE update of the peer configuration no faster). A shadow's view costs nothing to keep.
    ctx->save_for_backward({x2.detach(), weight.detach()});
    ctx->saved_data["w_shadow"] = shadowed;
    // Training with a SliceRecorder: the lowered weight gradient goes to the recorder in bf16 (no
    // float copy; measured, bf16 MoE update of the peer configuration: 2% faster, peak RSS 0.2 GB
    // lower). Elsewhere autograd gets it in the weight's type.
    ctx->saved_data["w_sink"] = lower ? SliceRecorder::gradientSink(weight, cast) : at::Tensor();
    ctx->saved_data["compute_type"] = static_cast<int64_t>(viaFloat ? cast : w.scalar_type());
    ctx->saved_data["via_float"] = viaFloat;
    ctx->saved_data["direct"] = direct;
    ctx->saved_data["x_type"] = static_cast<int64_t>(x.scalar_type());
    ctx->saved_data["w_type"] = static_cast<int64_t>(weight.scalar_type());
    ctx->saved_data["b_type"] = static_cast<int64_t>(bias.defined() ? bias.scalar_type() : at::ScalarType::Undefined);
    ctx->saved_data["x_sizes"] = x.sizes().vec();
    std::vector<int64_t> sizes = x.sizes().vec();
    sizes.back() = out;
    return y.view(sizes);  // [M, out] -> [..., out]
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& x2 = saved[0];  // [M, in], compute type
    const auto computeType = static_cast<at::ScalarType>(ctx->saved_data["compute_type"].toInt());
    const bool viaFloat = ctx->saved_data["via_float"].toBool();
    const bool direct = ctx->saved_data["direct"].toBool();
    // [out, in]: a no-op unless lowered; bf16 values in fp32 when taken through fp32.
    const at::Tensor shadowed = ctx->saved_data["w_shadow"].toTensor();
    const at::Tensor w = viaFloat            ? roundedToBf16(saved[1])
                         : shadowed.defined() ? shadowed
                                              : saved[1].to(computeType);
    const auto xType = static_cast<at::ScalarType>(ctx->saved_data["x_type"].toInt());
    const auto wType = static_cast<at::ScalarType>(ctx->saved_data["w_type"].toInt());
    const auto bType = static_cast<at::ScalarType>(ctx->saved_data["b_type"].toInt());
    const at::Tensor g = grads[0].reshape({-1, w.size(0)});  // [..., out] -> [M, out]
    const int64_t M = g.size(0);
    const at::Tensor gp = padRows(g, x2.size(0), computeType);  // [Mp, out] like the saved input
    const at::Tensor sink = ctx->saved_data["w_sink"].toTensor();
    at::Tensor dx, dw, db;
    if (viaFloat) {  // the same products through fp32: the upstream gradient widened once for both
      // [M, out], rows padded where the weight gradient's transposed read would alias (cpu_gemm.h)
      const at::Tensor gf = emptyGemmFriendly(gp.size(0), gp.size(1), gp.options().dtype(at::kFloat)).copy_(gp);
      if (ctx->needs_input_grad(0))  // rounded to bf16 only for a bf16 input
        dx = bf16MatmulViaFloat(gf, false, w, false, {}, xType)  // [M, out] x [out, in] -> [M, in]
                 .view(ctx->saved_data["x_sizes"].toIntVector());  // [M, in] -> [..., in]
      if (ctx->needs_input_grad(1)) {  // in bf16 as the recorder keeps it, recorded or not
        dw = bf16MatmulViaFloat(gf, true, x2, false);  // [out, in]
        dw = SliceRecorder::fillSink(sink, dw) ? at::Tensor() : dw.to(wType);
      }
    } else if (direct) {  // no padding rows: gp is the upstream gradient in bf16
      if (ctx->needs_input_grad(0))
        dx = oneDnnBf16Matmul(gp, false, w, false, {}, xType == at::kFloat ? at::kFloat : at::kBFloat16)
                 .to(xType)  // [M, out] x [out, in] -> [M, in]
                 .view(ctx->saved_data["x_sizes"].toIntVector());  // [M, in] -> [..., in]
      if (ctx->needs_input_grad(1)) {
        dw = oneDnnBf16Matmul(gp, true, x2, false);  // [M, out]^T x [M, in] -> [out, in]
        dw = SliceRecorder::fillSink(sink, dw) ? at::Tensor() : dw.to(wType);
      }
    } else {
      const bool cpuGemm = viaCpuGemm(gp, w);
      if (ctx->needs_input_grad(0))
        dx = (cpuGemm ? cpuMatmul(gp, false, w, false) : gp.mm(w))  // [Mp, out] x [out, in] -> [Mp, in]
                 .narrow(0, 0, M)
                 .to(xType)
                 .view(ctx->saved_data["x_sizes"].toIntVector());  // [M, in] -> [..., in]
      if (ctx->needs_input_grad(1)) {
        dw = cpuGemm ? cpuMatmul(gp, true, x2, false) : gp.t().mm(x2);  // [out, in], contiguous (pad rows add 0)
        dw = SliceRecorder::fillSink(sink, dw) ? at::Tensor() : dw.to(wType);
      }
    }
    if (bType != at::ScalarType::Undefined && ctx->needs_input_grad(2)) db = columnSums(g, bType);  // [out]
    return {dx, dw, db};
  }
};

}  // namespace

std::string sliceLinearCpuBf16Products() {
  if (bf16ProductsViaFloat(at::kCPU)) return "fp32_gemm";
  return oneDnnBf16MatmulAvailable() ? "onednn_direct" : "libtorch";
}

at::Tensor sliceLinear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
  return SliceLinearFunction::apply(x, weight, bias.defined() ? c10::optional<at::Tensor>(bias) : c10::nullopt);
}

}  // namespace automoe
