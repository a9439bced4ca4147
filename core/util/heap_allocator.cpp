#include "util/heap_allocator.h"

#include <dlfcn.h>
#if defined(__GLIBC__)
#include <gnu/libc-version.h>
#endif

namespace automoe {

namespace {

// gperftools exports tc_version(); its malloc is an alias of tc_malloc, so the two resolve to one
// address exactly when tcmalloc's malloc is the process's malloc (not merely loaded).
bool tcmallocServes() {
  void* tc = dlsym(RTLD_DEFAULT, "tc_malloc");
  return tc && tc == dlsym(RTLD_DEFAULT, "malloc");
}

}  // namespace

std::string heapAllocator() {
  if (tcmallocServes()) {
    using Version = const char* (*)(int*, int*, const char**);
    auto version = reinterpret_cast<Version>(dlsym(RTLD_DEFAULT, "tc_version"));
    int major = 0, minor = 0;
    const char* patch = nullptr;
    if (version) version(&major, &minor, &patch);
    return "tcmalloc_minimal " + std::to_string(major) + "." + std::to_string(minor) + (patch ? patch : "");
  }
#if defined(__GLIBC__)
  return std::string("glibc ") + gnu_get_libc_version();
#else
  return "unknown";
#endif
}

bool glibcHeap() {
#if defined(__GLIBC__)
  return !tcmallocServes();
#else
  return false;
#endif
}

}  // namespace automoe
