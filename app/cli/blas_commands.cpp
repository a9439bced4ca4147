// automoe blas info | check
#include <cstdio>

#include <nlohmann/json.hpp>

#include "arg_parser.h"
#include "commands.h"
#include "util/blas_info.h"
#include "util/blas_tuner.h"

namespace automoe::cli {

int blasInfo(const Args& args) {
  ArgParser ap(args, {}, {"json"});
  ap.expectPositional({});
  const BlasInfo b = detectBlas();
  const BlasDecision d = decideBlasTuning(b, false);
  if (ap.has("json")) {
    nlohmann::json j = b.toJson();
    j["suggested_core"] = b.suggestedCore();
    j["tuning"] = d.reason;
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("library          %s\n", b.library.c_str());
  if (!b.config.empty()) std::printf("config           %s\n", b.config.c_str());
  std::printf("kernel           %s%s\n", b.core.c_str(),
              b.coretypeEnv.empty() ? " (chosen by OpenBLAS)" : " (OPENBLAS_CORETYPE)");
  std::printf("CPU              AVX2 %s, AVX-512 %s\n", b.cpuAvx2 ? "yes" : "no", b.cpuAvx512 ? "yes" : "no");
  std::printf("tuning           %s\n", d.reason.c_str());
  if (!b.decision.empty()) std::printf("this process     %s\n", b.decision.c_str());
  return 0;
}

int blasCheck(const Args& args) {
  ArgParser ap(args, {"core"}, {});
  ap.expectPositional({});
  const BlasInfo b = detectBlas();
  std::string core = ap.value("core", b.suggestedCore());
  if (core.empty()) core = b.cpuAvx512 ? "SkylakeX" : "Haswell";
  const BlasCheck c = checkBlasKernel("/proc/self/exe", core);
  std::printf("%s\n", c.message.c_str());
  return c.ok ? 0 : 1;
}

}  // namespace automoe::cli
