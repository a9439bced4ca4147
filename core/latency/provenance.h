#pragma once
// What produced a result file: program and LibTorch versions, the BLAS kernel in use and the
// thread settings. Recorded in every latency file, since the same subnet measures differently
// under another BLAS kernel (e.g. OpenBLAS Prescott vs SkylakeX) or thread count.
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace automoe {

// OpenBLAS's kernel name ("SkylakeX", "Prescott", ...) when libopenblas is the loaded BLAS,
// otherwise "unknown".
std::string blasCoreName();

// {"automoe_version", "torch_version", "blas_core", "openblas_coretype_env", "max_threads",
//  "openmp_wait", "heap_allocator", "heap_pages", "cpu_bf16"}.
nlohmann::json provenance();

}  // namespace automoe
