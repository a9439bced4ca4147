#include "train/fused_adam.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include <ATen/Parallel.h>

#include "util/bf16_rounding.h"

namespace automoe {

namespace {

template <typename T>
struct Coef {
  T beta1, oneMinusBeta1, beta2, oneMinusBeta2, weightDecay, negStepSize, sqrtBc2, eps, gradScale;
};

// A gradient entry as the parameter's type: float and double as they are, bf16 widened exactly
// (its bits are the top half of a float's).
inline float widen(uint16_t bf16Bits) { return bf16Widened(bf16Bits); }
template <typename T>
inline T widen(T x) {
  return x;
}

// One contiguous run of n entries. The operation order mirrors the tensor formulation
// (mul_/add_, mul_/addcmul_, sqrt/div_/add_, addcdiv_). With Copy, the new values' bf16 roundings
// go to s as well (Bf16WeightShadow).
template <typename T, typename G, bool Decay, bool Copy>
__attribute__((always_inline)) inline void run(T* __restrict p, T* __restrict m, T* __restrict v,
                                               const G* __restrict g, uint16_t* __restrict s, int64_t n,
                                               const Coef<T>& c) {
  for (int64_t i = 0; i < n; ++i) {
    T gi = static_cast<T>(widen(g[i])) * c.gradScale;  // exact for a scale of 1
    if (Decay) gi = gi + c.weightDecay * p[i];
    const T mi = m[i] * c.beta1 + c.oneMinusBeta1 * gi;
    const T vi = v[i] * c.beta2 + c.oneMinusBeta2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    const T denom = std::sqrt(vi) / c.sqrtBc2 + c.eps;
    const T pi = p[i] + c.negStepSize * (mi / denom);
    p[i] = pi;
    if constexpr (Copy) s[i] = bf16RoundedBits(static_cast<float>(pi));  // float parameters only
  }
}

// The next row of a box (nullptr: none). A box narrower than its parameter has short rows at a
// stride the hardware prefetchers follow badly: rows of 512 floats at a stride of 640 updated at
// 1.78-1.86 ns per entry against 1.08-1.10 contiguous (1 thread, 20M entries, memory-bound: 7
// streams of 4 bytes at ~25 GB/s). Software prefetches a fixed distance ahead, running on into the
// next row, bring that to 1.15 (contiguous 1.00, a stride of 1024 1.49 -> 1.36).
template <typename T, typename G>
struct NextRow {
  const T *p = nullptr, *m = nullptr, *v = nullptr;
  const G* g = nullptr;
  const uint16_t* s = nullptr;  // the bf16 copy's next row, if one is written
};

// How far ahead, in cache lines per stream (measured, rows of 512 floats: 8 lines 1.37, 16 1.25,
// 24 1.15, 32 1.18, 48 1.57 ns per entry at a stride of 640).
constexpr int64_t kAheadLines = 24;

template <typename T, typename G, bool Decay, bool Copy>
__attribute__((always_inline)) inline void runRow(T* __restrict p, T* __restrict m, T* __restrict v,
                                                  const G* __restrict g, uint16_t* __restrict s, int64_t n,
                                                  const Coef<T>& c, const NextRow<T, G>& next) {
  constexpr int64_t kLine = 64 / static_cast<int64_t>(sizeof(T));  // entries of T per cache line
  const int64_t ahead = kAheadLines * kLine;
  int64_t i = 0;
  for (; i + kLine <= n; i += kLine) {
    const int64_t t = i + ahead;  // the entry `ahead` on, in this row or the next
    if (t < n) {
      __builtin_prefetch(p + t, 1);
      __builtin_prefetch(m + t, 1);
      __builtin_prefetch(v + t, 1);
      __builtin_prefetch(g + t, 0);
      if constexpr (Copy) __builtin_prefetch(s + t, 1);
    } else if (next.p != nullptr && t - n < n) {
      __builtin_prefetch(next.p + (t - n), 1);
      __builtin_prefetch(next.m + (t - n), 1);
      __builtin_prefetch(next.v + (t - n), 1);
      __builtin_prefetch(next.g + (t - n), 0);
      if constexpr (Copy) __builtin_prefetch(next.s + (t - n), 1);
    }
    run<T, G, Decay, Copy>(p + i, m + i, v + i, g + i, Copy ? s + i : s, kLine, c);
  }
  run<T, G, Decay, Copy>(p + i, m + i, v + i, g + i, Copy ? s + i : s, n - i, c);
}

// Decay and the bf16 copy as template arguments, chosen once per row.
template <typename T, typename G>
__attribute__((always_inline)) inline void runAny(T* p, T* m, T* v, const G* g, uint16_t* s, int64_t n,
                                                  const Coef<T>& c, bool decay, const NextRow<T, G>& next) {
  if (s != nullptr) {
    if (decay) runRow<T, G, true, true>(p, m, v, g, s, n, c, next); else runRow<T, G, false, true>(p, m, v, g, s, n, c, next);
  } else {
    if (decay) runRow<T, G, true, false>(p, m, v, g, s, n, c, next); else runRow<T, G, false, false>(p, m, v, g, s, n, c, next);
  }
}

// One clone per instruction set, chosen at load time (the loop vectorises; sqrt and division
// dominate once the box is in cache).
__attribute__((target_clones("avx512f", "avx2", "default")))
void runFloat(float* p, float* m, float* v, const float* g, uint16_t* s, int64_t n, const Coef<float>& c, bool decay,
              const NextRow<float, float>& next) {
  runAny<float, float>(p, m, v, g, s, n, c, decay, next);
}

// A bf16 gradient (bf16 products' weight gradients, SliceRecorder::gradientSink) for a float
// parameter: read at 2 bytes per entry, no float copy made first.
__attribute__((target_clones("avx512f", "avx2", "default")))
void runFloatBf16(float* p, float* m, float* v, const uint16_t* g, uint16_t* s, int64_t n, const Coef<float>& c,
                  bool decay, const NextRow<float, uint16_t>& next) {
  runAny<float, uint16_t>(p, m, v, g, s, n, c, decay, next);
}

void runDouble(double* p, double* m, double* v, const double* g, int64_t n, const Coef<double>& c, bool decay,
               const NextRow<double, double>& next) {
  runAny<double, double>(p, m, v, g, nullptr, n, c, decay, next);
}

template <typename T>
Coef<T> coefficients(const FusedAdamCoefficients& c) {
  return {static_cast<T>(c.beta1),       static_cast<T>(1.0 - c.beta1),
          static_cast<T>(c.beta2),       static_cast<T>(1.0 - c.beta2),
          static_cast<T>(c.weightDecay), static_cast<T>(-c.stepSize),
          static_cast<T>(c.sqrtBiasCorrection2), static_cast<T>(c.eps),
          static_cast<T>(c.gradScale)};
}

template <typename T>
void update(const at::Tensor& param, const at::Tensor& expAvg, const at::Tensor& expAvgSq, const at::Tensor& grad,
            const at::Tensor& copy, const FusedAdamCoefficients& fc) {
  const Coef<T> c = coefficients<T>(fc);
  const bool decay = fc.weightDecay != 0;
  const int64_t D = grad.dim();
  const int64_t inner = D == 0 ? 1 : grad.size(D - 1);
  int64_t rows = 1;
  for (int64_t d = 0; d + 1 < D; ++d) rows *= grad.size(d);
  T* const p = param.data_ptr<T>();
  T* const m = expAvg.data_ptr<T>();
  T* const v = expAvgSq.data_ptr<T>();
  uint16_t* const s = copy.defined() ? static_cast<uint16_t*>(copy.data_ptr()) : nullptr;
  const bool bf16 = grad.scalar_type() == at::kBFloat16;
  const char* const g = static_cast<const char*>(grad.data_ptr());
  const int64_t gSize = static_cast<int64_t>(grad.element_size());
  // Grain: ~64K entries per task so that small boxes stay on one thread.
  const int64_t grain = std::max<int64_t>(1, 65536 / std::max<int64_t>(inner, 1));
  // Row r's offsets in each tensor (parameter, moments, gradient, copy).
  struct Offsets {
    int64_t p = 0, m = 0, v = 0, g = 0, s = 0;
  };
  auto offsets = [&](int64_t r) {
    Offsets o;
    for (int64_t d = D - 2, rest = r; d >= 0; --d) {
      const int64_t i = rest % grad.size(d);
      rest /= grad.size(d);
      o.p += i * param.stride(d);
      o.m += i * expAvg.stride(d);
      o.v += i * expAvgSq.stride(d);
      o.g += i * grad.stride(d);
      if (s != nullptr) o.s += i * copy.stride(d);
    }
    return o;
  };
  at::parallel_for(0, rows, grain, [&](int64_t r0, int64_t r1) {
    Offsets o = offsets(r0);
    for (int64_t r = r0; r < r1; ++r) {
      const bool more = r + 1 < r1;
      const Offsets n = more ? offsets(r + 1) : Offsets{};
      const char* const gr = g + o.g * gSize;
      const char* const gn = g + n.g * gSize;
      uint16_t* const sr = s != nullptr ? s + o.s : nullptr;
      const uint16_t* const sn = s != nullptr ? s + n.s : nullptr;
      if constexpr (std::is_same_v<T, float>) {
        if (bf16) {
          const auto* g16 = reinterpret_cast<const uint16_t*>(gr);
          const NextRow<float, uint16_t> next =
              more ? NextRow<float, uint16_t>{p + n.p, m + n.m, v + n.v, reinterpret_cast<const uint16_t*>(gn), sn}
                   : NextRow<float, uint16_t>{};
          runFloatBf16(p + o.p, m + o.m, v + o.v, g16, sr, inner, c, decay, next);
        } else {
          const NextRow<float, float> next =
              more ? NextRow<float, float>{p + n.p, m + n.m, v + n.v, reinterpret_cast<const float*>(gn), sn}
                   : NextRow<float, float>{};
          runFloat(p + o.p, m + o.m, v + o.v, reinterpret_cast<const float*>(gr), sr, inner, c, decay, next);
        }
      } else {
        const NextRow<double, double> next =
            more ? NextRow<double, double>{p + n.p, m + n.m, v + n.v, reinterpret_cast<const double*>(gn)}
                 : NextRow<double, double>{};
        runDouble(p + o.p, m + o.m, v + o.v, reinterpret_cast<const double*>(gr), inner, c, decay, next);
      }
      o = n;
    }
  });
}

}  // namespace

bool fusedAdamBox(const at::Tensor& param, const at::Tensor& expAvg, const at::Tensor& expAvgSq,
                  const at::Tensor& grad, const FusedAdamCoefficients& c, const at::Tensor& bf16Copy) {
  const auto type = param.scalar_type();
  if (type != at::kFloat && type != at::kDouble) return false;
  const bool bf16Grad = type == at::kFloat && grad.scalar_type() == at::kBFloat16;
  for (const at::Tensor* t : {&param, &expAvg, &expAvgSq, &grad}) {
    const bool typeOk = t->scalar_type() == type || (t == &grad && bf16Grad);
    if (!t->device().is_cpu() || !typeOk || t->dim() != grad.dim() || t->is_sparse())
      return false;
    if (t->dim() > 0 && t->size(-1) > 1 && t->stride(-1) != 1) return false;
  }
  for (int64_t d = 0; d < grad.dim(); ++d)
    if (grad.size(d) > param.size(d) || expAvg.sizes() != param.sizes() || expAvgSq.sizes() != param.sizes())
      return false;
  if (bf16Copy.defined() &&
      (type != at::kFloat || bf16Copy.scalar_type() != at::kBFloat16 || !bf16Copy.device().is_cpu() ||
       bf16Copy.sizes() != param.sizes() || (param.dim() > 0 && param.size(-1) > 1 && bf16Copy.stride(-1) != 1)))
    return false;
  if (grad.numel() == 0) return true;
  if (type == at::kFloat)
    update<float>(param, expAvg, expAvgSq, grad, bf16Copy, c);
  else
    update<double>(param, expAvg, expAvgSq, grad, bf16Copy, c);
  for (const at::Tensor* t : {&param, &expAvg, &expAvgSq}) t->unsafeGetTensorImpl()->bump_version();  // as an in-place op would
  if (bf16Copy.defined()) bf16Copy.unsafeGetTensorImpl()->bump_version();
  return true;
}

}  // namespace automoe
