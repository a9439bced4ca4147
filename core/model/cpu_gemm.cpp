#include "model/cpu_gemm.h"

#include <atomic>
#include <stdexcept>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/record_function.h>

#ifdef AUTOMOE_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.h>
#endif

namespace automoe {

namespace {

std::atomic<CpuGemm> gBackend{CpuGemm::Blas};
std::atomic<bool> gAliasingCopies{true};

#ifdef AUTOMOE_HAVE_ONEDNN
// A 2-D fp32 tensor whose rows are contiguous (stride(1) == 1) and whose row stride is at least
// its row length, as sgemm's row-major leading dimension needs. A copy, where one is needed, gets
// the gemm-friendly row stride when `friendly` (so that the aliasing rules below copy it no more).
at::Tensor rowMajor(const at::Tensor& t, bool friendly) {
  if (t.stride(1) == 1 && t.stride(0) >= std::max<int64_t>(t.size(1), 1)) return t;
  return friendly ? emptyGemmFriendly(t.size(0), t.size(1), t.options()).copy_(t) : t.contiguous();
}

// See gemmFriendlyRowStride (cpu_gemm.h). Products over few rows (K < 256, expert blocks) do not
// suffer and are left alone.
bool aliasingTransposedOperand(const at::Tensor& a, bool transA, int64_t K) {
  return transA && K >= 256 && gemmFriendlyRowStride(a.stride(0)) != a.stride(0);
}

at::Tensor padRowStride(const at::Tensor& a) {
  return emptyGemmFriendly(a.size(0), a.size(1), a.options()).copy_(a);
}

// oneDNN's sgemm multiplies few rows by a non-transposed second operand at half speed when that
// operand's row stride is a multiple of 512 floats (a weight slice times an expert's gradient,
// dY · W, W's stride the super layer's width). Measured with oneDNN 2.6 on an AVX2 CPU (AMD EPYC
// guest), 1 thread, 64-byte aligned operands, K 128-3072, N 1024-3072: 36-42 GFLOP/s for M 32-256
// (up to M 280-380, depending on N), 62-88 with rows 16 floats longer, level from M 384 on; the
// same with Debian 13's oneDNN 3.7 (33-40 against 66-86). A copy of B costs about what 16 rows of
// the product do: it pays from 32 rows at 1 thread, from 128 at 2 (64 rows: 65 -> 56), so from 64.
// Not measured with AVX-512, where oneDNN runs other kernels; should they not suffer, the copy
// costs at most a quarter of these products there.
bool aliasingSecondOperand(const at::Tensor& b, bool transB, int64_t M) {
  return !transB && M >= 64 && M < 384 && b.stride(0) >= 512 && b.stride(0) % 512 == 0;
}

// The weight gradient dY^T · X of a 512-wide layer (both operands' rows 512 floats apart, over 256
// rows or more) runs at 41-58 GFLOP/s in oneDNN's AVX2 sgemm, 53-82 with both copied to rows 16
// floats longer, copies included (same machine, [1020 x 512]^T x [1020 x 512]; oneDNN 3.7: 47-54
// against 70-78, copies not included). Padding one of them gains less than half of that; 640-wide
// layers, or a 1024- or 2048-wide second operand: level.
bool aliasingGradientPair(const at::Tensor& a, bool transA, const at::Tensor& b, bool transB, int64_t K) {
  return transA && !transB && K >= 256 && a.stride(0) == 512 && b.stride(0) == 512;
}

// `b` copied to rows 16 floats longer where its width is itself a multiple of 512 floats.
at::Tensor unaliasedCopy(const at::Tensor& b) {
  const int64_t cols = b.size(1), stride = cols % 512 == 0 ? cols + 16 : cols;
  return at::empty({b.size(0), stride}, b.options()).narrow(1, 0, cols).copy_(b);  // [K, stride] -> [K, N]
}
#endif

}  // namespace

int64_t gemmFriendlyRowStride(int64_t cols) { return cols >= 1024 && cols % 512 == 0 ? cols + 16 : cols; }

at::Tensor emptyGemmFriendly(int64_t rows, int64_t cols, const at::TensorOptions& options) {
  const int64_t stride = gemmFriendlyRowStride(cols);
  if (stride == cols || !options.device().is_cpu() || options.dtype() != at::kFloat)
    return at::empty({rows, cols}, options);                                   // [rows, cols]
  return at::empty({rows, stride}, options).narrow(1, 0, cols);  // [rows, stride] -> [rows, cols]
}

bool oneDnnGemmCompiledIn() {
#ifdef AUTOMOE_HAVE_ONEDNN
  return true;
#else
  return false;
#endif
}

std::string oneDnnVersion() {
#ifdef AUTOMOE_HAVE_ONEDNN
  const dnnl_version_t* v = dnnl_version();
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
#else
  return "";
#endif
}

void setCpuGemm(CpuGemm backend) {
  if (backend == CpuGemm::OneDnn && !oneDnnGemmCompiledIn())
    throw std::invalid_argument("this build has no oneDNN (its headers, libdnnl-dev, were not found)");
  gBackend = backend;
}

CpuGemm cpuGemm() { return gBackend; }

void setCpuGemmAliasingCopies(bool on) { gAliasingCopies = on; }
bool cpuGemmAliasingCopies() { return gAliasingCopies; }

std::string cpuGemmName(CpuGemm backend) { return backend == CpuGemm::OneDnn ? "onednn" : "blas"; }

namespace {

#ifdef AUTOMOE_HAVE_ONEDNN
// op(a) · op(b) through oneDNN's sgemm; a and b 2-D fp32 CPU tensors.
at::Tensor oneDnnMatmul(const at::Tensor& a, bool transA, const at::Tensor& b, bool transB) {
  const at::Tensor opA = transA ? a.t() : a, opB = transB ? b.t() : b;
  // A profiler scope like ATen's own products (inputs: the two operands as multiplied).
  RECORD_FUNCTION("automoe::sgemm", std::vector<c10::IValue>({opA, opB}));
  const int64_t M = opA.size(0), K = opA.size(1), N = opB.size(1);
  at::Tensor A = rowMajor(a, gAliasingCopies && transA && K >= 256), B = rowMajor(b, false);
  if (gAliasingCopies) {
    if (aliasingTransposedOperand(A, transA, K)) A = padRowStride(A);
    if (aliasingSecondOperand(B, transB, M)) B = unaliasedCopy(B);
    if (aliasingGradientPair(A, transA, B, transB, K)) A = unaliasedCopy(A), B = unaliasedCopy(B);
  }
  TORCH_CHECK(opB.size(0) == K, "cpuMatmul: inner sizes differ");
  at::Tensor c = at::empty({M, N}, a.options());  // [M, N]
  if (M == 0 || N == 0) return c;
  if (K == 0) return c.zero_();
  const dnnl_status_t s = dnnl_sgemm(transA ? 'T' : 'N', transB ? 'T' : 'N', M, N, K, 1.0f, A.data_ptr<float>(),
                                     A.stride(0), B.data_ptr<float>(), B.stride(0), 0.0f, c.data_ptr<float>(), N);
  TORCH_CHECK(s == dnnl_success, "oneDNN sgemm failed with status ", static_cast<int>(s));
  return c;
}
#endif

}  // namespace

at::Tensor cpuMatmul(const at::Tensor& a, bool transA, const at::Tensor& b, bool transB) {
#ifdef AUTOMOE_HAVE_ONEDNN
  if (gBackend == CpuGemm::OneDnn && a.device().is_cpu() && a.scalar_type() == at::kFloat &&
      b.scalar_type() == at::kFloat && a.dim() == 2 && b.dim() == 2)
    return oneDnnMatmul(a, transA, b, transB);
#endif
  return (transA ? a.t() : a).mm(transB ? b.t() : b);
}

bool oneDnnGemmAgreesWithBlas() {
#ifdef AUTOMOE_HAVE_ONEDNN
  // Calls both libraries directly: the process-wide choice is not touched while other threads may
  // be multiplying.
  at::Generator gen = at::detail::createCPUGenerator(12345);
  const int64_t shapes[][3] = {{170, 640, 512}, {33, 512, 2048}, {1024, 64, 300}, {7, 5, 3}};
  for (const auto& s : shapes)
    for (int t = 0; t < 4; ++t) {
      const bool ta = t & 1, tb = t & 2;
      const at::Tensor a = at::randn(ta ? at::IntArrayRef{s[1], s[0]} : at::IntArrayRef{s[0], s[1]}, gen);
      const at::Tensor b = at::randn(tb ? at::IntArrayRef{s[2], s[1]} : at::IntArrayRef{s[1], s[2]}, gen);
      const at::Tensor ref = (ta ? a.t() : a).mm(tb ? b.t() : b);
      const at::Tensor got = oneDnnMatmul(a, ta, b, tb);
      const double scale = ref.abs().max().item<double>() + 1e-30;
      if ((got - ref).abs().max().item<double>() > 1e-4 * scale) return false;
    }
  return true;
#else
  return false;
#endif
}

}  // namespace automoe
