#pragma once
// Transparent huge pages for the heap. A MoE subnet reads ~2.4x the weights of a dense one of the
// same FLOPs, scattered over the supernet's expert tensors; with 4 KiB pages its GEMMs miss the TLB
// more, and every first touch of fresh memory is a page fault (8.5 us each, measured on this VM).
// glibc 2.35+ can advise the kernel to back its heap and mmap'ed chunks with 2 MiB pages (the
// tunable glibc.malloc.hugetlb=1). Measured here, fp32 MoE training update: 2.62 -> 2.50 s, GEMM
// 148 -> 156 GFLOP/s, dense unchanged, peak RSS unchanged.
//
// glibc reads GLIBC_TUNABLES when the process starts, so setting it takes a re-exec.
#include <string>

namespace automoe {

// The kernel's transparent-huge-page mode from the text of
// /sys/kernel/mm/transparent_hugepage/enabled ("always [madvise] never" -> "madvise");
// "" when the text names none.
std::string transparentHugePageMode(const std::string& sysfsText);

// The mode of this machine ("" when the kernel has no THP).
std::string transparentHugePageMode();

// Appends glibc.malloc.hugetlb=1 to GLIBC_TUNABLES unless the user already chose a
// glibc.malloc.hugetlb value, set AUTOMOE_HUGE_PAGES=0, or the kernel's mode `thpMode` gives
// madvise no effect ("never" or none), or glibc's malloc is not the one in use (heap_allocator.h).
// Returns true when it changed the environment (the caller
// must re-exec for it to take effect).
bool requestHugePageHeap(const std::string& thpMode);
bool requestHugePageHeap();

// For provenance, what this process was started with (not what it set since):
// "glibc.malloc.hugetlb=N (THP MODE)", or "default (THP MODE)" when not set.
std::string hugePageSetting();

}  // namespace automoe
