#include "model/onednn_kernel_cache.h"

#include <cstdlib>

#ifdef AUTOMOE_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.h>
#endif

namespace automoe {

int oneDnnKernelCacheCapacity() {
#ifdef AUTOMOE_HAVE_ONEDNN
  int capacity = -1;
  return dnnl_get_primitive_cache_capacity(&capacity) == dnnl_success ? capacity : -1;
#else
  return -1;
#endif
}

int reserveOneDnnKernelCache(int capacity) {
#ifdef AUTOMOE_HAVE_ONEDNN
  const bool chosen = std::getenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY") || std::getenv("DNNL_PRIMITIVE_CACHE_CAPACITY");
  if (!chosen && oneDnnKernelCacheCapacity() < capacity) dnnl_set_primitive_cache_capacity(capacity);
#else
  (void)capacity;
#endif
  return oneDnnKernelCacheCapacity();
}

}  // namespace automoe
