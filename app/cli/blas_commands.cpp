// automoe blas info | check: the BLAS, its kernel and tuning, and what the linear layers multiply with
// (fp32 and bf16).
#include <cstdio>

#include <nlohmann/json.hpp>

#include "arg_parser.h"
#include "cli_app.h"
#include "commands.h"
#include "model/bf16_products.h"
#include "model/cpu_gemm.h"
#include "model/slice_linear.h"
#include "util/blas_info.h"
#include "util/blas_tuner.h"
#include "util/cpu_bf16.h"

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
    const bool dnn = oneDnnGemmCompiledIn();
    j["onednn_sgemm"] = {{"compiled_in", dnn}, {"version", oneDnnVersion()},
                         {"agrees_with_blas", dnn && oneDnnGemmAgreesWithBlas()}};
    j["bf16"] = {{"cpu_bf16", cpuBf16Name(cpuBf16Support())},
                 {"products", cpuBf16ProductsName()},
                 {"training_products", sliceLinearCpuBf16Products()}};
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
  // What training.cpu_gemm "auto" picks for the fp32 products of the linear layers.
  if (!oneDnnGemmCompiledIn())
    std::printf("linear layers    the BLAS (this build has no oneDNN)\n");
  else if (oneDnnGemmAgreesWithBlas())
    std::printf("linear layers    oneDNN %s sgemm (agrees with the BLAS on test products)\n", oneDnnVersion().c_str());
  else
    std::printf("linear layers    the BLAS (oneDNN %s disagrees with it on test products)\n", oneDnnVersion().c_str());
  // How --precision bf16 multiplies (model/bf16_products.h).
  if (bf16ProductsViaFloat(at::kCPU))
    std::printf("bf16 products    through the fp32 GEMM, rounded to bf16 (this CPU has no bf16 GEMM: bf16 saves memory, not time)\n");
  else
    std::printf("bf16 products    LibTorch's, through oneDNN (cpu_bf16 %s)%s\n", cpuBf16Name(cpuBf16Support()).c_str(),
                sliceLinearCpuBf16Products() == "onednn_direct"
                    ? "; training's linear layers straight through oneDNN's matmul, run-time shapes"
                    : "");
  return 0;
}

int blasCheck(const Args& args) {
  ArgParser ap(args, {"core"}, {});
  ap.expectPositional({});
  const BlasInfo b = detectBlas();
  std::string core = ap.value("core", b.suggestedCore());
  if (core.empty()) core = b.cpuAvx512 ? "SkylakeX" : "Haswell";
  const BlasCheck c = checkBlasKernel("/proc/self/exe", core);
  if (c.otherKernel) throw UsageError("option --core: " + c.message);
  std::printf("%s\n", c.message.c_str());
  return c.ok ? kExitOk : kExitCheckFailed;
}

}  // namespace automoe::cli
