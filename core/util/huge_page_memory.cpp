#include "util/huge_page_memory.h"

#include <sys/mman.h>

#include <cstdint>

namespace automoe {

namespace {
constexpr size_t kHugePage = size_t{2} << 20;
size_t alignUp(size_t x, size_t a) { return (x + a - 1) / a * a; }
}  // namespace

HugePageBlock mapHugePageMemory(size_t bytes) {
  HugePageBlock block;
  const size_t usable = alignUp(bytes, kHugePage);
  const size_t length = usable + kHugePage;  // room to align the start
  void* raw = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return block;
  char* base = reinterpret_cast<char*>(alignUp(reinterpret_cast<uintptr_t>(raw), kHugePage));
  // Before the first touch, so the pages are huge from the start; failure only loses the gain.
  ::madvise(base, usable, MADV_HUGEPAGE);
  block.data = base;
  block.mapping = std::shared_ptr<void>(raw, [length](void* p) { ::munmap(p, length); });
  return block;
}

}  // namespace automoe
