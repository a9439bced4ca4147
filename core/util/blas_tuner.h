#pragma once
// Chooses the fastest safe BLAS kernel for this CPU. Debian's OpenBLAS 0.3.21 does not know some
// recent Intel CPUs and falls back to its generic SSE3 kernel (~31 GFLOP/s instead of 105-155 with
// the AVX-512 one). OPENBLAS_CORETYPE selects another kernel but is only read when the library
// loads, so the switch is a re-exec of the process. Before switching, the candidate kernel's GEMM
// results on fixed test matrices (computed in a child process) are compared with the current
// kernel's; the switch happens only if they agree.
#include <string>

#include "util/blas_info.h"

namespace automoe {

struct BlasDecision {
  bool tryKernel = false;  // a faster kernel exists and may be tried
  std::string core;        // the candidate
  std::string reason;      // human-readable
};

// Pure decision from the detected state. `disabled`: the user asked for the default kernel.
// An explicit OPENBLAS_CORETYPE is always respected.
BlasDecision decideBlasTuning(const BlasInfo& info, bool disabled);

struct BlasCheck {
  bool ok = false;
  // The kernel the child reported running ("" when it did not run). OpenBLAS takes a name it
  // does not know, or a kernel this CPU cannot run, as a request for its own choice and does not
  // say so: such a child runs another kernel, and the check fails with otherKernel set.
  std::string kernelRun;
  bool otherKernel = false;
  double maxRelativeDifference = 0;
  std::string message;
};

// Runs `selfExe __blas-selftest` with OPENBLAS_CORETYPE=core and compares its GEMM fingerprint
// with this process's. Tolerance: 1e-4 relative (kernels differ only in summation order). The
// child answers with a line `kernel NAME` (the kernel it loaded) and the fingerprint.
BlasCheck checkBlasKernel(const std::string& selfExe, const std::string& core);

// The fingerprint: results of fixed fp32 GEMMs (odd sizes, transposes), printed by the self-test.
std::string blasFingerprint();

// The child's side of checkBlasKernel, first thing in the main of every program that checks
// kernels: when started as `exe __blas-selftest`, prints the fingerprint and returns true (the
// caller then exits 0); otherwise returns false and prints nothing.
bool answerBlasSelfTest(int argc, char** argv);

// For long-running commands: if tuning is allowed and useful, verify and re-exec with the faster
// kernel (does not return then). Records the outcome in AUTOMOE_BLAS_DECISION for provenance and
// prints one line to stderr. `environmentChanged`: the caller set variables that are only read
// at load time (e.g. GOMP_SPINCOUNT), so re-exec even when the kernel stays. Returns normally
// when nothing is re-executed.
void maybeReexecWithFasterBlas(int argc, char** argv, bool disabled, bool environmentChanged = false);

}  // namespace automoe
