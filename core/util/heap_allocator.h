#pragma once
// Which malloc serves this process. The executables link gperftools' tcmalloc_minimal where the
// build found it (CMake option AUTOMOE_TCMALLOC): a training update allocates and frees hundreds of
// tensors whose sizes change with every sampled subnet, and glibc's heap fragments under that,
// keeps growing for many updates and faults in fresh pages as it does (on this VM a first touch
// runs at 1-6 GB/s). Measured, 1 thread, updates 3-10 of the peer configuration, glibc with huge
// pages against tcmalloc, 2 alternating pairs: bf16 MoE 1.38-1.41 -> 1.26-1.27 s, fp32 MoE
// 2.19-2.20 -> 2.13-2.15 s, peak RSS 5.0 -> 4.4 GiB (bf16 MoE).
#include <string>

namespace automoe {

// "tcmalloc_minimal 2.10" when tcmalloc's malloc is the one in use, else "glibc 2.36" (or
// "unknown" for another C library).
std::string heapAllocator();

// Whether glibc's malloc serves this process (so that its tunables, e.g. glibc.malloc.hugetlb,
// take effect).
bool glibcHeap();

}  // namespace automoe
