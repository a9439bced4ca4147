#include "util/blas_tuner.h"

#include <strings.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <vector>

#include <ATen/ATen.h>

#include "util/child_process.h"

namespace automoe {

namespace {

std::vector<double> parseNumbers(const std::string& s) {
  std::vector<double> v;
  std::istringstream in(s);
  double x;
  while (in >> x) v.push_back(x);
  return v;
}

constexpr const char* kSelfTestArgument = "__blas-selftest";

// The self-test child's answer; `failure` says why there is none ("" when it ran).
struct SelfTestAnswer {
  std::string out, failure;
};

SelfTestAnswer runSelfTest(const std::string& exe, const std::string& core) {
  ChildOptions o;
  o.extraEnvironment = {"OPENBLAS_CORETYPE=" + core, "AUTOMOE_BLAS_DECISION=selftest"};
  try {
    const ChildResult r = runChild({exe, kSelfTestArgument}, o);
    if (r.exitCode == 0) return {r.out, ""};
    if (r.exitCode == 128 + SIGILL) return {"", "killed by SIGILL: the kernel uses instructions this CPU lacks"};
    if (r.exitCode > 128) return {"", "killed by signal " + std::to_string(r.exitCode - 128)};
    return {"", "exit status " + std::to_string(r.exitCode)};
  } catch (const std::exception& e) {
    return {"", e.what()};
  }
}

}  // namespace

bool answerBlasSelfTest(int argc, char** argv) {
  if (argc != 2 || std::strcmp(argv[1], kSelfTestArgument) != 0) return false;
  std::printf("kernel %s\n%s\n", detectBlas().core.c_str(), blasFingerprint().c_str());
  return true;
}

BlasDecision decideBlasTuning(const BlasInfo& info, bool disabled) {
  BlasDecision d;
  if (disabled) {
    d.reason = "BLAS tuning turned off by the user";
  } else if (!info.coretypeEnv.empty()) {
    d.reason = "OPENBLAS_CORETYPE=" + info.coretypeEnv + " set by the user";
  } else if (info.library != "OpenBLAS") {
    d.reason = "BLAS is not OpenBLAS (" + info.library + ")";
  } else if (info.suggestedCore().empty()) {
    d.reason = "OpenBLAS kernel " + info.core + " already suits this CPU";
  } else {
    d.tryKernel = true;
    d.core = info.suggestedCore();
    d.reason = "OpenBLAS runs its generic kernel " + info.core + " on this CPU; " + d.core +
               " supports its instruction set";
  }
  return d;
}

std::string blasFingerprint() {
  // Deterministic inputs without a random generator: a fixed quasi-random pattern.
  auto matrix = [](int64_t r, int64_t c, double phase) {
    return (at::arange(r * c, at::kDouble) * 0.6180339887 + phase).sin().to(at::kFloat).view({r, c});  // [r*c] -> [r, c]
  };
  std::ostringstream out;
  out.precision(9);
  const std::vector<std::vector<int64_t>> shapes = {{37, 53, 29}, {128, 640, 96}, {5, 640, 301}};
  for (const auto& s : shapes) {
    const at::Tensor a = matrix(s[0], s[1], 0.3), b = matrix(s[1], s[2], 1.7);
    for (const at::Tensor& c : {at::mm(a, b), at::mm(b.t(), a.t())}) {
      const at::Tensor flat = c.reshape({-1}).to(at::kDouble);  // [m, n] -> [m*n]
      const double* p = flat.data_ptr<double>();
      for (int64_t i = 0; i < flat.numel(); i += 7) out << p[i] << ' ';
    }
  }
  return out.str();
}

BlasCheck checkBlasKernel(const std::string& exe, const std::string& core) {
  BlasCheck c;
  const SelfTestAnswer run = runSelfTest(exe, core);
  const std::string& answer = run.out;
  const std::string head = "kernel ";
  const size_t lineEnd = answer.find('\n');
  const std::vector<double> theirs =
      answer.compare(0, head.size(), head) == 0 && lineEnd != std::string::npos
          ? parseNumbers(answer.substr(lineEnd + 1)) : std::vector<double>();
  const std::vector<double> ours = parseNumbers(blasFingerprint());
  if (theirs.empty() || theirs.size() != ours.size()) {
    c.message = "the self-test with OPENBLAS_CORETYPE=" + core + " failed to run (" +
                (run.failure.empty() ? "no kernel name and fingerprint in its answer" : run.failure) + ")";
    return c;
  }
  c.kernelRun = answer.substr(head.size(), lineEnd - head.size());
  if (strcasecmp(c.kernelRun.c_str(), core.c_str()) != 0) {
    c.otherKernel = true;
    c.message = "OPENBLAS_CORETYPE=" + core + " loaded OpenBLAS's " + c.kernelRun +
                " kernel instead: this OpenBLAS has no kernel named " + core + " that this CPU can run";
    return c;
  }
  for (size_t i = 0; i < ours.size(); ++i) {
    const double scale = std::max(1.0, std::abs(ours[i]));
    c.maxRelativeDifference = std::max(c.maxRelativeDifference, std::abs(ours[i] - theirs[i]) / scale);
  }
  c.ok = c.maxRelativeDifference < 1e-4;
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s kernel %s the current one on test GEMMs (max relative difference %.2g)",
                c.kernelRun.c_str(), c.ok ? "agrees with" : "DISAGREES with", c.maxRelativeDifference);
  c.message = buf;
  return c;
}

namespace {

// Returns only when execv fails; the process then goes on with the libraries as loaded.
void reexec(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  args.push_back(nullptr);
  execv("/proc/self/exe", args.data());
  std::fprintf(stderr, "automoe: re-exec failed (%s); continuing with the settings as loaded\n",
               std::strerror(errno));
}

}  // namespace

void maybeReexecWithFasterBlas(int argc, char** argv, bool disabled, bool environmentChanged) {
  if (std::getenv("AUTOMOE_BLAS_DECISION")) return;  // decided already (we are the re-exec)
  const BlasDecision d = decideBlasTuning(detectBlas(), disabled);
  bool switched = false;
  if (!d.tryKernel) {
    setenv("AUTOMOE_BLAS_DECISION", ("default: " + d.reason).c_str(), 1);
  } else {
    const BlasCheck check = checkBlasKernel("/proc/self/exe", d.core);
    if (!check.ok) {
      std::fprintf(stderr, "automoe: BLAS: %s; %s; keeping the default kernel\n", d.reason.c_str(),
                   check.message.c_str());
      setenv("AUTOMOE_BLAS_DECISION", ("default: " + check.message).c_str(), 1);
    } else {
      std::fprintf(stderr, "automoe: BLAS: %s; %s; switching (use --blas default to turn this off)\n",
                   d.reason.c_str(), check.message.c_str());
      setenv("OPENBLAS_CORETYPE", d.core.c_str(), 1);
      setenv("AUTOMOE_BLAS_DECISION", ("tuned: " + check.message).c_str(), 1);
      switched = true;
    }
  }
  if (!switched && !environmentChanged) return;
  reexec(argc, argv);
  if (switched) {  // still the default kernel: say so in the provenance
    unsetenv("OPENBLAS_CORETYPE");
    setenv("AUTOMOE_BLAS_DECISION", "default: re-exec failed", 1);
  }
}

}  // namespace automoe
