#include "model/batched_matmul.h"

#include <dlfcn.h>

#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>
#include <torch/csrc/autograd/custom_function.h>

#include "model/bf16_autocast.h"

namespace automoe {

namespace {

// Fortran BLAS: column-major, arguments by pointer.
using Sgemm = void (*)(const char* transa, const char* transb, const int* m, const int* n, const int* k,
                       const float* alpha, const float* a, const int* lda, const float* b, const int* ldb,
                       const float* beta, float* c, const int* ldc);

Sgemm sgemm() {
  static const Sgemm fn = reinterpret_cast<Sgemm>(dlsym(RTLD_DEFAULT, "sgemm_"));
  return fn;
}

// A matrix operand: base pointer, strides of the two batch dims and how BLAS reads it.
struct Operand {
  const float* data = nullptr;
  int64_t stride0 = 0, stride1 = 0;
  int ld = 0;
  bool rowMajor = true;
};

// x [B, H, r, c] with unit stride in one of the last two dims (and a leading dimension BLAS accepts).
bool rowMajor(const at::Tensor& x) { return x.stride(3) == 1 && x.stride(2) >= std::max<int64_t>(1, x.size(3)); }
bool colMajor(const at::Tensor& x) { return x.stride(2) == 1 && x.stride(3) >= std::max<int64_t>(1, x.size(2)); }

Operand operand(const at::Tensor& x) {
  Operand o;
  o.data = x.data_ptr<float>();
  o.stride0 = x.stride(0);
  o.stride1 = x.stride(1);
  o.rowMajor = rowMajor(x);
  o.ld = static_cast<int>(o.rowMajor ? x.stride(2) : x.stride(3));
  return o;
}

// c [B, H, m, p] (fresh, contiguous) = alpha a [B, H, m, k] b [B, H, k, p].
at::Tensor blasBmm(at::Tensor a, at::Tensor b, float alpha) {
  if (!rowMajor(a) && !colMajor(a)) a = a.contiguous();
  if (!rowMajor(b) && !colMajor(b)) b = b.contiguous();
  const int64_t B = a.size(0), H = a.size(1), m = a.size(2), k = a.size(3), p = b.size(3);
  at::Tensor c = at::empty({B, H, m, p}, a.options());  // [B, H, m, p]
  if (c.numel() == 0) return c;
  if (k == 0) return c.zero_();
  const Operand A = operand(a), Bm = operand(b);
  float* C = c.data_ptr<float>();
  // Row-major C = A B is column-major C^T = B^T A^T: BLAS gets B first. A row-major operand is its
  // own transpose in column-major terms ('N'); a column-major one needs 'T'.
  const char tb = Bm.rowMajor ? 'N' : 'T', ta = A.rowMajor ? 'N' : 'T';
  const int M = static_cast<int>(p), N = static_cast<int>(m), K = static_cast<int>(k), ldc = static_cast<int>(p);
  const float zero = 0.0f;
  const Sgemm gemm = sgemm();
  at::parallel_for(0, B * H, 8, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const int64_t i0 = i / H, i1 = i % H;
      gemm(&tb, &ta, &M, &N, &K, &alpha, Bm.data + i0 * Bm.stride0 + i1 * Bm.stride1, &Bm.ld,
           A.data + i0 * A.stride0 + i1 * A.stride1, &A.ld, &zero, C + i * m * p, &ldc);
    }
  });
  return c;
}

class BatchedMatmul : public torch::autograd::Function<BatchedMatmul> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& a, const at::Tensor& b,
                            double alpha) {
    ctx->save_for_backward({a, b});
    ctx->saved_data["alpha"] = alpha;
    return blasBmm(a, b, static_cast<float>(alpha));
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &a = saved[0], &b = saved[1], &g = grads[0];  // [B, H, m, k], [B, H, k, p], [B, H, m, p]
    const auto alpha = static_cast<float>(ctx->saved_data["alpha"].toDouble());
    at::Tensor da, db;
    if (ctx->needs_input_grad(0)) da = blasBmm(g, b.transpose(2, 3), alpha);  // [B, H, m, p] x [B, H, p, k]
    if (ctx->needs_input_grad(1)) db = blasBmm(a.transpose(2, 3), g, alpha);  // [B, H, k, m] x [B, H, m, p]
    return {da, db, at::Tensor()};
  }
};

}  // namespace

bool batchedMatmulUsesBlas(const at::Tensor& a, const at::Tensor& b) {
  if (sgemm() == nullptr || !at::GradMode::is_enabled() || a.dim() != 4 || b.dim() != 4 || !a.is_cpu() ||
      !b.is_cpu() || a.size(0) != b.size(0) || a.size(1) != b.size(1) || a.size(3) != b.size(2) ||
      a.numel() >= (int64_t{1} << 31) || b.numel() >= (int64_t{1} << 31))
    return false;
  if (autocastTypeFor(at::kCPU) == at::kBFloat16) {  // either operand may be bf16: taken in float32
    auto ok = [](const at::Tensor& t) { return t.scalar_type() == at::kFloat || t.scalar_type() == at::kBFloat16; };
    return ok(a) && ok(b);
  }
  return autocastTypeFor(at::kCPU) == at::ScalarType::Undefined && a.scalar_type() == at::kFloat &&
         b.scalar_type() == at::kFloat;
}

at::Tensor batchedMatmul(const at::Tensor& a, const at::Tensor& b, double alpha) {
  if (!batchedMatmulUsesBlas(a, b)) return at::matmul(alpha == 1.0 ? a : a * alpha, b);
  // Under bf16 autocast the float32 copies are autograd nodes: their gradients go back as bf16.
  return BatchedMatmul::apply(a.to(at::kFloat), b.to(at::kFloat), alpha);
}

}  // namespace automoe
