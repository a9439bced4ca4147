#pragma once
// at::linear with a faster path for inference on a few rows (incremental decoding: batch x beam
// rows per step). BLAS GEMM packs the whole weight matrix into a buffer on every call, which for
// 1-16 rows costs more than the arithmetic (measured: 5 x 640 -> 3072 in 0.95 ms with OpenBLAS
// SkylakeX, 0.30 ms here; 5 x 512 -> 16008 in 10.9 vs 3.9 ms). This kernel streams every weight
// row once and keeps the rows' partial sums in vector registers.
//
// Used when no gradient is needed (grad mode off or no input requires grad), on CPU float32, for
// at most kFewRowLimit rows and a weight whose rows are contiguous (prefix slices qualify: the
// leading dimension may exceed the width). Training (grad mode on, any operand that requires grad)
// goes to sliceLinear (slice_linear.h), bf16 inference on a CPU without bf16 products to
// linearViaFloat (bf16_products.h), everything else to at::linear. Results agree with
// at::linear to float rounding (a different summation order).
#include <ATen/ATen.h>

namespace automoe {

constexpr int64_t kFewRowLimit = 16;

// x [..., in], weight [out, in] (row stride >= in, unit column stride), bias [out] or undefined
// -> [..., out]
at::Tensor linearFewRows(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias = {});

}  // namespace automoe
