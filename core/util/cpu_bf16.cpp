#include "util/cpu_bf16.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace automoe {

CpuFeatures detectCpuFeatures() {
  CpuFeatures f;
#if defined(__x86_64__)
  __builtin_cpu_init();
  // __builtin_cpu_supports checks that the OS saves the AVX-512 state too.
  f.avx512f = __builtin_cpu_supports("avx512f");
  f.avx512bw = __builtin_cpu_supports("avx512bw");
  f.avx512vl = __builtin_cpu_supports("avx512vl");
  f.avx512dq = __builtin_cpu_supports("avx512dq");
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (f.avx512f && __get_cpuid_count(7, 1, &a, &b, &c, &d)) f.avx512bf16 = (a >> 5) & 1u;  // leaf 7.1 EAX[5]
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) f.amxBf16 = (d >> 22) & 1u;                 // leaf 7.0 EDX[22]
  // AMX also needs the OS to save the tile state (XCR0 bits 17 and 18).
  if (f.amxBf16) {
    unsigned lo = 0, hi = 0;
    if (__get_cpuid(1, &a, &b, &c, &d) && ((c >> 27) & 1u)) __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    f.amxBf16 = (lo & (3u << 17)) == (3u << 17);
  }
#endif
  return f;
}

CpuBf16 cpuBf16Support(const CpuFeatures& f) {
  if (!(f.avx512bw && f.avx512vl && f.avx512dq)) return CpuBf16::Reference;
  return f.avx512bf16 || f.amxBf16 ? CpuBf16::Native : CpuBf16::Emulated;
}

CpuBf16 cpuBf16Support() {
  static const CpuBf16 s = cpuBf16Support(detectCpuFeatures());
  return s;
}

std::string cpuBf16Name(CpuBf16 s) {
  switch (s) {
    case CpuBf16::Native: return "native";
    case CpuBf16::Emulated: return "emulated";
    case CpuBf16::Reference: return "reference";
  }
  return "reference";
}

std::string cpuBf16Note(const std::string& what, CpuBf16 s) {
  if (s != CpuBf16::Reference) return "";
  return "note: " + what +
         " is bf16, but this CPU has no bf16 matrix products (no AVX-512 BW, VL, DQ): they run through "
         "fp32 GEMMs at about fp32 speed, no faster, so bf16 saves activation memory here but not time";
}

}  // namespace automoe
