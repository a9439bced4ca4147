#pragma once
// bf16 matrix products on the CPU run through LibTorch's oneDNN matmul, which builds (JIT-compiles)
// a kernel per problem shape and keeps the most recent ones in oneDNN's primitive cache (default
// capacity 1024). A MoE subnet multiplies blocks whose row counts change every step (tokens per
// expert) with several expert widths, in three layouts (forward, input and weight gradients):
// more distinct shapes than 1024 with 32-row padding, so the cache thrashed and kernels were
// rebuilt all through training. Measured, bf16 MoE updates 21-40 of the peer configuration, 1
// thread: 32-row padding 1.46 s with the default capacity, 1.32 s with 4096; 64-row padding
// (model/slice_linear.cpp) 1.31 s with the default, 1.30 s with 4096 (+75 MB resident). 2048
// leaves room for spaces with more expert widths than the peer's at half that memory. Training's
// linear products now bypass this cache where oneDNN's headers were found (onednn_bf16_matmul.h);
// it still serves LibTorch's other bf16 products, and all of them in builds without the headers.
//
// Where oneDNN's headers were found at build time (Debian: libdnnl-dev; Debian's LibTorch links
// the same libdnnl), the capacity is raised through oneDNN's API. A LibTorch with its own copy of
// oneDNN built in (the PyTorch wheels) is unaffected; its users can set
// ONEDNN_PRIMITIVE_CACHE_CAPACITY themselves.
namespace automoe {

inline constexpr int kOneDnnKernelCacheCapacity = 2048;

// Raises oneDNN's primitive cache capacity to at least `capacity` unless the user chose one
// (ONEDNN_PRIMITIVE_CACHE_CAPACITY or DNNL_PRIMITIVE_CACHE_CAPACITY set). Returns the capacity in
// effect afterwards; -1 where oneDNN is not compiled in.
int reserveOneDnnKernelCache(int capacity = kOneDnnKernelCacheCapacity);

// The capacity in effect; -1 where oneDNN is not compiled in.
int oneDnnKernelCacheCapacity();

}  // namespace automoe
