#include "util/allocator_tuning.h"

#include <malloc.h>

#include "util/heap_allocator.h"

namespace automoe {

void keepLargeAllocationsInHeap() {
#if defined(__GLIBC__)
  if (!glibcHeap()) return;  // tcmalloc (heap_allocator.h) keeps freed memory by itself
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);      // glibc's maximum: blocks below 32 MiB from the heap
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);    // keep up to 1 GiB of freed heap for reuse
#endif
}

}  // namespace automoe
