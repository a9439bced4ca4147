#include "latency/provenance.h"

#include <dlfcn.h>

#include <cstdlib>

#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>
#include <torch/version.h>

#include "model/bf16_products.h"
#include "util/cpu_bf16.h"
#include "util/heap_allocator.h"
#include "util/huge_pages.h"
#include "util/openmp_wait.h"

namespace automoe {

std::string blasCoreName() {
  using CoreName = char* (*)();
  // Only libopenblas exports this symbol; looked up at run time so other BLAS builds link too.
  void* sym = dlsym(RTLD_DEFAULT, "openblas_get_corename");
  if (!sym) return "unknown";
  const char* name = reinterpret_cast<CoreName>(sym)();
  return name ? name : "unknown";
}

nlohmann::json provenance() {
  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  return {{"automoe_version", AUTOMOE_VERSION},
          {"torch_version", TORCH_VERSION},
          {"blas_core", blasCoreName()},
          {"openblas_coretype_env", coretype ? coretype : ""},
          {"max_threads", at::get_num_threads()},
          {"openmp_wait", openMpWaitSetting()},
          {"heap_allocator", heapAllocator()},
          {"heap_pages", hugePageSetting()},
          {"cpu_bf16", cpuBf16Name(cpuBf16Support())},
          {"cpu_bf16_products", cpuBf16ProductsName()}};
}

}  // namespace automoe
