#include "model/onednn_bf16_matmul.h"

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>

#include <ATen/record_function.h>

#include "util/bf16_rounding.h"

#ifdef AUTOMOE_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.hpp>
#endif

namespace automoe {

namespace {

std::atomic<bool> gOn{true};

// Results at least this wide are computed in fp32 and converted (measured, 1 thread, Zen 4: bf16
// results 1020 x 16004 at 145 GFLOP/s (in training, 119), fp32 at 219 plus a conversion pass of
// about a tenth of the product's time; 1020 x 512-3072: both within 4%).
constexpr int64_t kWideResult = 4096;

#ifdef AUTOMOE_HAVE_ONEDNN
using dt = dnnl::memory::data_type;
constexpr dnnl::memory::dim kAny = DNNL_RUNTIME_DIM_VAL;

// The bf16 roundings (util/bf16_rounding.h) of n floats at `from`, written to `to`, which may be
// `from` itself (`to` never passes what is still to be read: entry i goes to bytes [2i, 2i + 2) and
// is read from [4i, 4i + 4)).
__attribute__((target_clones("avx512f", "avx2", "default")))
void roundToBf16InPlace(const uint32_t* from, uint16_t* to, int64_t n) {
  constexpr int64_t kBlock = 16;  // read a block before writing it: the compiler may vectorise
  int64_t i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    uint16_t out[kBlock];
    for (int64_t j = 0; j < kBlock; ++j) out[j] = bf16RoundedBits(from[i + j]);
    for (int64_t j = 0; j < kBlock; ++j) to[i + j] = out[j];
  }
  for (; i < n; ++i) to[i] = bf16RoundedBits(from[i]);
}

// A contiguous fp32 tensor's values as bf16, in the first half of its own memory: no new buffer.
// A new one of 16 MB and more (the vocabulary projection's logits) took its pages fresh from the
// kernel on every update: measured, bf16 MoE update of the peer configuration (1 thread), the
// conversion 0.055 s with 4,700 page faults against 0.009 s for the dense supernet's.
at::Tensor toBf16InOwnMemory(const at::Tensor& f) {
  at::Tensor out = at::empty({0}, f.options().dtype(at::kBFloat16));
  out.set_(f.storage(), f.storage_offset() * 2, f.sizes(), f.strides());  // [M, N], bf16 in f's bytes
  roundToBf16InPlace(static_cast<const uint32_t*>(f.data_ptr()), static_cast<uint16_t*>(out.data_ptr()), f.numel());
  return out;
}

dnnl::engine& cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dt dnnlType(at::ScalarType t) {
  if (t == at::kBFloat16) return dt::bf16;
  if (t == at::kFloat) return dt::f32;
  throw std::invalid_argument("oneDnnBf16Matmul: bias and result must be bf16 or fp32, not " +
                              std::string(c10::toString(t)));
}

// The layout of op(X) for a row-major X: {rows, cols} strides {ld, 1}, transposed {1, ld}.
dnnl::memory::dims strides(bool trans, dnnl::memory::dim ld) {
  return trans ? dnnl::memory::dims{1, ld} : dnnl::memory::dims{ld, 1};
}

// One kernel per (transA, transB, bias type, result type), every size and leading dimension left
// to run time. Built on first use (under a lock), then only executed, which oneDNN allows from
// several threads at once.
using Key = std::tuple<bool, bool, int, int>;

std::mutex gKernelsMutex;
std::map<Key, dnnl::matmul> gKernels;

dnnl::matmul& kernel(bool transA, bool transB, at::ScalarType biasType, at::ScalarType outType) {
  const Key key{transA, transB, static_cast<int>(biasType), static_cast<int>(outType)};
  std::lock_guard<std::mutex> lock(gKernelsMutex);
  auto it = gKernels.find(key);
  if (it != gKernels.end()) return it->second;
  const dnnl::memory::desc a({kAny, kAny}, dt::bf16, strides(transA, kAny));
  const dnnl::memory::desc b({kAny, kAny}, dt::bf16, strides(transB, kAny));
  const dnnl::memory::desc c({kAny, kAny}, dnnlType(outType), dnnl::memory::dims{kAny, 1});
  const dnnl::memory::desc bias = biasType == at::ScalarType::Undefined
                                      ? dnnl::memory::desc()
                                      : dnnl::memory::desc({1, kAny}, dnnlType(biasType), dnnl::memory::dims{kAny, 1});
#if DNNL_VERSION_MAJOR >= 3  // oneDNN 3 (Debian 13) builds the primitive descriptor from the memory descriptors
  const dnnl::matmul::primitive_desc pd(cpuEngine(), a, b, bias, c);
#else
  const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, bias, c), cpuEngine());
#endif
  const std::string impl = pd.impl_info_str();
  // A reference implementation (a CPU oneDNN has no bf16 kernel for) runs at a few GFLOP/s.
  if (impl.find("ref") != std::string::npos)
    throw std::runtime_error("oneDNN has only its reference bf16 matmul on this CPU (" + impl + ")");
  return gKernels.emplace(key, dnnl::matmul(pd)).first->second;
}

// `t` with unit column stride and a row stride of at least its width (a copy where it has not).
at::Tensor rowMajor(const at::Tensor& t) {
  if (t.stride(1) == 1 && t.stride(0) >= std::max<int64_t>(t.size(1), 1)) return t;
  return t.contiguous();
}

bool checkAvailable() {
  try {
    const at::Tensor a = at::ones({3, 5}, at::kBFloat16), b = at::ones({5, 4}, at::kBFloat16);  // [3, 5], [5, 4]
    const at::Tensor c = oneDnnBf16Matmul(a, false, b, false, {}, at::kFloat);                  // [3, 4]
    return c.eq(5).all().item<bool>();
  } catch (const std::exception&) {
    return false;
  }
}
#endif

}  // namespace

bool oneDnnBf16MatmulAvailable() {
#ifdef AUTOMOE_HAVE_ONEDNN
  static const bool available = checkAvailable();
  return available && gOn;
#else
  return false;
#endif
}

void setOneDnnBf16Matmul(bool on) { gOn = on; }

int oneDnnBf16MatmulKernels() {
#ifdef AUTOMOE_HAVE_ONEDNN
  std::lock_guard<std::mutex> lock(gKernelsMutex);
  return static_cast<int>(gKernels.size());
#else
  return 0;
#endif
}

at::Tensor oneDnnBf16Matmul(const at::Tensor& a, bool transA, const at::Tensor& b, bool transB,
                            const at::Tensor& bias, at::ScalarType out) {
#ifdef AUTOMOE_HAVE_ONEDNN
  TORCH_CHECK(a.dim() == 2 && b.dim() == 2 && a.scalar_type() == at::kBFloat16 && b.scalar_type() == at::kBFloat16 &&
                  a.device().is_cpu() && b.device().is_cpu(),
              "oneDnnBf16Matmul: 2-D bf16 CPU operands expected");
  const at::Tensor A = rowMajor(a), B = rowMajor(b);
  const int64_t M = transA ? A.size(1) : A.size(0), K = transA ? A.size(0) : A.size(1);
  const int64_t N = transB ? B.size(0) : B.size(1);
  TORCH_CHECK((transB ? B.size(1) : B.size(0)) == K, "oneDnnBf16Matmul: inner sizes differ");
  TORCH_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == N), "oneDnnBf16Matmul: bias of ", N,
              " values expected");
  // A wide bf16 result goes through fp32 (the kernel's own bf16 conversion of wide rows is slow:
  // onednn_bf16_matmul.h): the product, then one conversion pass.
  if (out == at::kBFloat16 && N >= kWideResult)
    return toBf16InOwnMemory(oneDnnBf16Matmul(A, transA, B, transB, bias, at::kFloat));
  RECORD_FUNCTION("automoe::bf16_gemm", std::vector<c10::IValue>({transA ? A.t() : A, transB ? B.t() : B}));
  at::Tensor c = at::empty({M, N}, a.options().dtype(out));  // [M, N]
  if (M == 0 || N == 0) return c;
  if (K == 0) return bias.defined() ? c.copy_(bias.expand({M, N})) : c.zero_();
  const at::Tensor bi = bias.defined() ? bias.contiguous() : at::Tensor();
  dnnl::matmul& mm = kernel(transA, transB, bi.defined() ? bi.scalar_type() : at::ScalarType::Undefined, out);
  dnnl::engine& eng = cpuEngine();
  const dnnl::memory am({{M, K}, dt::bf16, strides(transA, A.stride(0))}, eng, A.data_ptr());
  const dnnl::memory bm({{K, N}, dt::bf16, strides(transB, B.stride(0))}, eng, B.data_ptr());
  const dnnl::memory cm({{M, N}, dnnlType(out), dnnl::memory::dims{N, 1}}, eng, c.data_ptr());
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}};
  if (bi.defined())
    args.emplace(DNNL_ARG_BIAS, dnnl::memory({{1, N}, dnnlType(bi.scalar_type()), dnnl::memory::dims{N, 1}}, eng,
                                             bi.data_ptr()));
  dnnl::stream stream(eng);
  mm.execute(stream, args);
  stream.wait();
  return c;
#else
  (void)a, (void)transA, (void)b, (void)transB, (void)bias, (void)out;
  throw std::logic_error("oneDnnBf16Matmul: this build has no oneDNN");
#endif
}

}  // namespace automoe
