#pragma once
// What BLAS does the GEMMs in this process, and what the CPU could do. LibTorch (Debian) sends
// fp32 GEMMs to libblas.so.3, i.e. whatever the alternatives system selected; OpenBLAS picks its
// kernel from the CPU model when it loads, or from OPENBLAS_CORETYPE, and falls back to a generic
// SSE3 kernel ("Prescott") on CPUs it does not know.
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace automoe {

struct BlasInfo {
  std::string library;   // "OpenBLAS", "reference or unknown"
  std::string config;    // openblas_get_config(), e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ..."
  std::string core;      // kernel in use, e.g. "SkylakeX", "Haswell", "Prescott"
  std::string coretypeEnv;  // OPENBLAS_CORETYPE as set for this process ("" = unset)
  std::string decision;     // AUTOMOE_BLAS_DECISION: what the launcher decided and why
  bool cpuAvx512 = false;
  bool cpuAvx2 = false;
  // Faster kernel this CPU supports when the current one is a generic fallback ("" = none).
  std::string suggestedCore() const;
  // The fastest kernel this CPU can run: suggestedCore(), or the current one when it is not a
  // generic fallback (e.g. "Zen" chosen by OpenBLAS itself). Never a kernel the CPU cannot execute
  // (OpenBLAS does not check OPENBLAS_CORETYPE=SkylakeX against the CPU: it dies of SIGILL).
  std::string fastestCore() const;
  nlohmann::json toJson() const;
};

BlasInfo detectBlas();

}  // namespace automoe
