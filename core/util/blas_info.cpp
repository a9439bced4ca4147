#include "util/blas_info.h"

#include <cstdlib>
#include <dlfcn.h>

#include <nlohmann/json.hpp>

namespace automoe {

BlasInfo detectBlas() {
  BlasInfo b;
  using StrFn = char* (*)();
  auto corename = reinterpret_cast<StrFn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  auto config = reinterpret_cast<StrFn>(dlsym(RTLD_DEFAULT, "openblas_get_config"));
  if (corename) {
    b.library = "OpenBLAS";
    b.core = corename();
    if (config) b.config = config();
  } else {
    b.library = "reference or unknown";
  }
  if (const char* env = std::getenv("OPENBLAS_CORETYPE")) b.coretypeEnv = env;
  if (const char* env = std::getenv("AUTOMOE_BLAS_DECISION")) b.decision = env;
#if defined(__x86_64__)
  __builtin_cpu_init();
  b.cpuAvx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
  b.cpuAvx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return b;
}

std::string BlasInfo::suggestedCore() const {
  if (library != "OpenBLAS") return "";
  const bool generic = core == "Prescott" || core == "Core2" || core == "Penryn" ||
                       core == "Nehalem" || core == "Dunnington" || core == "Atom" || core == "Katmai";
  if (!generic) return "";
  if (cpuAvx512) return "SkylakeX";
  if (cpuAvx2) return "Haswell";
  return "";
}

std::string BlasInfo::fastestCore() const {
  if (library != "OpenBLAS") return "";
  const std::string s = suggestedCore();
  return s.empty() ? core : s;
}

nlohmann::json BlasInfo::toJson() const {
  return {{"library", library}, {"config", config}, {"core", core}, {"openblas_coretype", coretypeEnv}, {"decision", decision},
          {"cpu_avx512", cpuAvx512}, {"cpu_avx2", cpuAvx2}};
}

}  // namespace automoe
