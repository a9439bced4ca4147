#include "train/lazy_zeros.h"

#include <sys/mman.h>

namespace automoe {

at::Tensor lazyZerosLike(const at::Tensor& t) {
  const size_t bytes = static_cast<size_t>(t.numel()) * t.element_size();
  if (!t.device().is_cpu() || bytes < (1u << 20)) return at::zeros_like(t, at::MemoryFormat::Contiguous);
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return at::zeros_like(t, at::MemoryFormat::Contiguous);
  return at::from_blob(p, t.sizes(), [bytes](void* q) { munmap(q, bytes); },
                       t.options().requires_grad(false));
}

}  // namespace automoe
