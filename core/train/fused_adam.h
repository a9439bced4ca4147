#pragma once
// One fused pass of (fairseq) Adam over the leading box of a parameter: reads the gradient, the
// parameter and both moments once and writes them once, instead of the 7 full passes (and 2
// temporaries) of the equivalent tensor operations. Same formula, in the parameter's precision:
//   g = gradScale * grad (+ weightDecay * p);  m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
//   p -= stepSize * m / (sqrt(v) / sqrtBiasCorrection2 + eps)
// Measured (1 thread, a 2048 x 512 box of a 3072 x 640 fp32 weight): 2.29 ms as tensor operations,
// 0.68 ms fused; per update of the wmt14.en-de MoE space, ~0.38 -> ~0.11 s.
#include <ATen/ATen.h>

namespace automoe {

struct FusedAdamCoefficients {
  double beta1, beta2, eps, weightDecay;
  double stepSize;             // lr / (1 - beta1^t)
  double sqrtBiasCorrection2;  // sqrt(1 - beta2^t)
  double gradScale = 1.0;      // gradient clipping's factor, applied as the gradient is read
};

// param, expAvg, expAvgSq: the same shape; grad: the leading box to update (grad.sizes() <= the
// parameter's in every dimension), in the parameter's type or, for a float parameter, bf16 (read
// as its exact float value). Returns false, touching nothing, where the fused kernel does not
// apply (not CPU, not float/double, a last dimension that is not unit-stride); the caller then
// uses tensor operations. bf16Copy, if defined (a float parameter's Bf16WeightShadow: bf16, the
// parameter's shape, unit-stride rows), gets the bf16 rounding of every entry written, in the same
// pass (to nearest, ties to even, as LibTorch casts).
bool fusedAdamBox(const at::Tensor& param, const at::Tensor& expAvg, const at::Tensor& expAvgSq,
                  const at::Tensor& grad, const FusedAdamCoefficients& c, const at::Tensor& bf16Copy = {});

}  // namespace automoe
