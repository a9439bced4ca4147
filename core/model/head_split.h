#pragma once
// Splits a fused attention projection [B, T, P*q] (P = 3 for self-attention's q/k/v, 2 for
// cross-attention's k/v) into P head-major tensors [B, h, T, q/h]: views, no copy. Backward writes
// the P gradients straight into one [B, T, P*q] gradient (one strided copy each) whose rows are
// padded by gemmFriendlyRowStride, where autograd's chunk + view + transpose would copy each part
// to a contiguous tensor and then concatenate them; the projection's weight gradient then reads
// unaliased rows (see cpu_gemm.h). Measured on the peer configuration (fp32, 1 thread): the
// concatenation alone took 1.1% of an update.
#include <vector>

#include <ATen/ATen.h>

namespace automoe {

// `parts` tensors [B, h, T, q/h] from `fused` [B, T, parts*q]; q divisible by `heads`.
std::vector<at::Tensor> splitHeads(const at::Tensor& fused, int64_t parts, int64_t heads);

}  // namespace automoe
