#pragma once
// bf16 matrix products on CPUs without a fast bf16 GEMM. LibTorch hands CPU bf16 products to oneDNN
// only where the CPU has AVX-512 BW+VL+DQ (util/cpu_bf16.h); elsewhere its reference loops run them
// at 2-4 GFLOP/s (measured, AMD EPYC guest with AVX2, 1 thread: a bf16 MoE update of the peer
// configuration took 105 s, all but 0.6 s in aten::mm/addmm, against 5 s in fp32).
//
// There the product is taken through fp32: the bf16 operands widen exactly, their products are
// exact in fp32 and are summed in fp32 by the fp32 GEMM (cpuMatmul: oneDNN's sgemm or the BLAS),
// the bias is added in fp32 and the result rounds once to bf16. That is what a bf16 GEMM that
// accumulates in fp32 (oneDNN's) computes, up to summation order, at the fp32 GEMM's rate.
// Activations stay bf16 between layers, as on CPUs with native bf16 products.
#include <string>

#include <ATen/ATen.h>

namespace automoe {

enum class CpuBf16Products {
  Auto,      // through fp32 where cpuBf16Support() is Reference, LibTorch's own elsewhere
  Native,    // always LibTorch's (oneDNN or its reference loops)
  ViaFloat,  // always through fp32
};

// Process-wide (default Auto); tests and benchmarks compare the two paths with it.
void setCpuBf16Products(CpuBf16Products mode);
CpuBf16Products cpuBf16Products();

// True where bf16 products on `device` are taken through fp32 (CPU only).
bool bf16ProductsViaFloat(const at::Device& device);
// How CPU bf16 products run, for result files: "fp32_gemm" or "libtorch".
std::string cpuBf16ProductsName();

// op(a) · op(b) + bias (op = transpose when the flag is set) for 2-D CPU operands that are bf16, or
// fp32 holding bf16 values (roundedToBf16), computed through fp32 as above whatever the setting;
// bias [N] or undefined. The result [M, N] in `out`: bf16 (rounded once) or fp32 (not rounded, for
// a consumer in fp32). Not an autograd operation (callers are autograd functions or run without
// gradients). Autocast is kept off the fp32 product.
at::Tensor bf16MatmulViaFloat(const at::Tensor& a, bool transA, const at::Tensor& b, bool transB,
                              const at::Tensor& bias = {}, at::ScalarType out = at::kBFloat16);

// at::linear(x, weight, bias) as bf16 autocast computes it (bf16 operands, bf16 result [..., out]),
// through fp32: for inference where bf16ProductsViaFloat (no autograd). x and weight fp32 or bf16.
at::Tensor linearViaFloat(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);

// A 2-D fp32 CPU tensor's values rounded to bf16 (round to nearest even, as LibTorch's conversion),
// kept in a fresh fp32 tensor: x.to(bf16).to(float) in one pass. A GEMM operand: its rows are
// gemmFriendlyRowStride(cols) apart (cpu_gemm.h), so that cpuMatmul need not copy it again.
at::Tensor roundedToBf16(const at::Tensor& x);

}  // namespace automoe
