#pragma once
// Zero tensors whose memory is committed only where written. Adam's moments have the shape of
// each supernet parameter (2 x 317M entries for AutoMoE's largest space) but a subnet only ever
// touches a prefix box of them; zeros_like would fill (and keep resident) all of it on first use.
// On CPU the storage here is a private anonymous mapping: the kernel supplies zero pages on first
// touch, untouched pages cost no time and no resident memory. Elsewhere: at::zeros_like.
#include <ATen/ATen.h>

namespace automoe {

// A contiguous zero tensor with t's shape, type and device.
at::Tensor lazyZerosLike(const at::Tensor& t);

}  // namespace automoe
