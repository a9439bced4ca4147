#include "model/attention_products.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include "model/cpu_gemm.h"

#ifdef AUTOMOE_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.h>
#endif

namespace automoe {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// A matrix inside a tensor: base pointer and row stride (unit column stride).
struct Mat {
  float* data;
  int64_t ld;
};

// c = alpha op(a) op(b) (+ beta c), row-major, c m x n, inner size kk.
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t kk, float alpha, Mat a, Mat b, float beta, Mat c) {
#ifdef AUTOMOE_HAVE_ONEDNN
  const dnnl_status_t s =
      dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, kk, alpha, a.data, a.ld, b.data, b.ld, beta, c.data, c.ld);
  TORCH_CHECK(s == dnnl_success, "oneDNN sgemm failed with status ", static_cast<int>(s));
#else
  (void)ta, (void)tb, (void)m, (void)n, (void)kk, (void)alpha, (void)a, (void)b, (void)beta, (void)c;
  TORCH_CHECK(false, "attention products need oneDNN");
#endif
}

// Runs f(b, h) for every sentence and head, split over the intra-op threads.
template <typename F>
void forEachHead(int64_t B, int64_t heads, const F& f) {
  at::parallel_for(0, B * heads, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) f(i / heads, i % heads);
  });
}

// [B, len, qkv] row-major view with unit column stride, as sgemm reads it.
at::Tensor rows(const at::Tensor& t) { return t.stride(2) == 1 ? t : t.contiguous(); }

class ScoresFunction : public torch::autograd::Function<ScoresFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& qIn, const at::Tensor& kIn, int64_t heads,
                            double alpha) {
    const at::Tensor q = rows(qIn), k = rows(kIn);
    const int64_t B = q.size(0), T = q.size(1), S = k.size(1), hd = q.size(2) / heads;
    at::Tensor s = at::empty({B, heads, T, S}, q.options());  // [B, h, T, S]
    float *qp = q.data_ptr<float>(), *kp = k.data_ptr<float>(), *sp = s.data_ptr<float>();
    forEachHead(B, heads, [&](int64_t b, int64_t h) {
      gemm(false, true, T, S, hd, static_cast<float>(alpha), {qp + b * q.stride(0) + h * hd, q.stride(1)},
           {kp + b * k.stride(0) + h * hd, k.stride(1)}, 0.f, {sp + (b * heads + h) * T * S, S});
    });
    ctx->save_for_backward({q, k});
    ctx->saved_data["heads"] = heads;
    ctx->saved_data["alpha"] = alpha;
    return s;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &q = saved[0], &k = saved[1];
    const int64_t heads = ctx->saved_data["heads"].toInt();
    const float alpha = static_cast<float>(ctx->saved_data["alpha"].toDouble());
    const at::Tensor ds = grads[0].contiguous();  // [B, h, T, S]
    const int64_t B = q.size(0), T = q.size(1), S = k.size(1), hd = q.size(2) / heads;
    at::Tensor dq = at::empty({B, T, q.size(2)}, q.options()), dk = at::empty({B, S, k.size(2)}, k.options());
    float *qp = q.data_ptr<float>(), *kp = k.data_ptr<float>(), *gp = ds.data_ptr<float>();
    float *dqp = dq.data_ptr<float>(), *dkp = dk.data_ptr<float>();
    forEachHead(B, heads, [&](int64_t b, int64_t h) {
      const Mat g{gp + (b * heads + h) * T * S, S};
      gemm(false, false, T, hd, S, alpha, g, {kp + b * k.stride(0) + h * hd, k.stride(1)}, 0.f,
           {dqp + b * dq.stride(0) + h * hd, dq.stride(1)});  // dq_h = alpha ds k_h
      gemm(true, false, S, hd, T, alpha, g, {qp + b * q.stride(0) + h * hd, q.stride(1)}, 0.f,
           {dkp + b * dk.stride(0) + h * hd, dk.stride(1)});  // dk_h = alpha ds^T q_h
    });
    return {dq, dk, at::Tensor(), at::Tensor()};
  }
};

class MixFunction : public torch::autograd::Function<MixFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& pIn, const at::Tensor& vIn, int64_t heads) {
    const at::Tensor p = pIn.contiguous(), v = rows(vIn);
    const int64_t B = p.size(0), T = p.size(2), S = p.size(3), hd = v.size(2) / heads;
    at::Tensor o = at::empty({B, T, v.size(2)}, v.options());  // [B, T, qkv]
    float *pp = p.data_ptr<float>(), *vp = v.data_ptr<float>(), *op = o.data_ptr<float>();
    forEachHead(B, heads, [&](int64_t b, int64_t h) {
      gemm(false, false, T, hd, S, 1.f, {pp + (b * heads + h) * T * S, S}, {vp + b * v.stride(0) + h * hd, v.stride(1)},
           0.f, {op + b * o.stride(0) + h * hd, o.stride(1)});
    });
    ctx->save_for_backward({p, v});
    ctx->saved_data["heads"] = heads;
    return o;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &p = saved[0], &v = saved[1];
    const int64_t heads = ctx->saved_data["heads"].toInt();
    const at::Tensor dout = rows(grads[0]);  // [B, T, qkv]
    const int64_t B = p.size(0), T = p.size(2), S = p.size(3), hd = v.size(2) / heads;
    at::Tensor dp = at::empty_like(p), dv = at::empty({B, S, v.size(2)}, v.options());
    float *pp = p.data_ptr<float>(), *vp = v.data_ptr<float>(), *gp = dout.data_ptr<float>();
    float *dpp = dp.data_ptr<float>(), *dvp = dv.data_ptr<float>();
    forEachHead(B, heads, [&](int64_t b, int64_t h) {
      const Mat g{gp + b * dout.stride(0) + h * hd, dout.stride(1)};
      gemm(false, true, T, S, hd, 1.f, g, {vp + b * v.stride(0) + h * hd, v.stride(1)}, 0.f,
           {dpp + (b * heads + h) * T * S, S});  // dp_h = dout_h v_h^T
      gemm(true, false, S, hd, T, 1.f, {pp + (b * heads + h) * T * S, S}, g, 0.f,
           {dvp + b * dv.stride(0) + h * hd, dv.stride(1)});  // dv_h = p_h^T dout_h
    });
    return {dp, dv, at::Tensor()};
  }
};

bool direct(const at::Tensor& a, const at::Tensor& b) {
  return oneDnnGemmCompiledIn() && cpuGemm() == CpuGemm::OneDnn && a.device().is_cpu() && b.device().is_cpu() &&
         a.scalar_type() == at::kFloat && b.scalar_type() == at::kFloat;
}

}  // namespace

at::Tensor attentionScores(const at::Tensor& q, const at::Tensor& k, int64_t heads, double alpha) {
  if (direct(q, k)) return ScoresFunction::apply(q, k, heads, alpha);
  const int64_t B = q.size(0), T = q.size(1), S = k.size(1), hd = q.size(2) / heads;
  const at::Tensor qh = (q * alpha).view({B, T, heads, hd}).transpose(1, 2);  // [B, T, qkv] -> [B, h, T, hd]
  const at::Tensor kh = k.view({B, S, heads, hd}).transpose(1, 2);            // [B, S, qkv] -> [B, h, S, hd]
  return at::matmul(qh, kh.transpose(-2, -1));                                // [B, h, T, S]
}

at::Tensor attentionMix(const at::Tensor& p, const at::Tensor& v, int64_t heads) {
  if (direct(p, v)) return MixFunction::apply(p, v, heads);
  const int64_t B = v.size(0), S = v.size(1), T = p.size(2), qkv = v.size(2);
  const at::Tensor vh = v.view({B, S, heads, qkv / heads}).transpose(1, 2);  // [B, S, qkv] -> [B, h, S, hd]
  return at::matmul(p, vh)       // [B, h, T, hd]
      .transpose(1, 2)           // -> [B, T, h, hd]
      .reshape({B, T, qkv});     // -> [B, T, qkv]
}

}  // namespace automoe
