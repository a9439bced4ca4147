#pragma once
// Anonymous memory for large, long-lived blocks, backed by transparent huge pages (2 MiB) where
// the kernel allows them (THP "always" or "madvise"). A 4 KiB page costs a fault on first touch
// (measured on this VM: about 6 us each) and a TLB walk on streaming reads; a huge page costs one
// fault per 2 MiB. The memory is zero until written and committed only where touched (in 2 MiB
// steps). Where huge pages are refused the block still works, with small pages.
#include <cstddef>
#include <memory>

namespace automoe {

struct HugePageBlock {
  void* data = nullptr;            // 2 MiB aligned when huge pages are possible; null on failure
  std::shared_ptr<void> mapping;   // unmaps the block when the last owner goes
};

// `bytes` of zeroed memory (null `data` if the mapping fails).
HugePageBlock mapHugePageMemory(size_t bytes);

}  // namespace automoe
