// Benchmark: where a SuperTransformer training update spends its time. Same configuration as
// train_throughput (wmt14.en-de space, synthetic peer corpus, max-tokens 1024, one subnet per
// update); after `warmup` updates, every ATen operator and autograd node is timed with a
// RecordFunction callback (thread CPU time, so that other processes on a loaded machine disturb
// it less than wall time) and the self times (children excluded) are summed per name, with the page
// faults taken inside each operator (shown where at least one per update).
//
// usage: bench_train_profile --help lists the flags. By default it starts the way `automoe train`
// does (util/heavy_process_launch.h: the OpenMP spin cap, the huge-page heap and the checked
// faster OpenBLAS kernel, by a re-exec), so that the profile is of what the command runs; `--launch as-is` keeps the environment it was started with (e.g. to try
// an OPENBLAS_CORETYPE or GOMP_SPINCOUNT of one's own). --bf16-products forces how bf16
// multiplies (model/bf16_products.h), e.g. to compare oneDNN's emulated bf16 with the fp32 GEMM.
#include <sys/resource.h>
#include <time.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/record_function.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "bench_args.h"
#include "bench_run_dir.h"
#include "model/bf16_products.h"
#include "model/bf16_weight_shadow.h"
#include "model/cpu_gemm.h"
#include "model/onednn_bf16_matmul.h"
#include "project/project.h"
#include "train/synthetic_translation_data.h"
#include "train/trainer.h"
#include "util/allocator_tuning.h"
#include "util/blas_info.h"
#include "util/blas_tuner.h"
#include "util/heavy_process_launch.h"
#include "util/huge_pages.h"
#include "util/openmp_wait.h"

using namespace automoe;

namespace {

double threadSystemSeconds() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return static_cast<double>(u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_stime.tv_usec);
}

long threadMinorFaults() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return u.ru_minflt;
}

double threadSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Frame {
  std::string name;
  double start = 0, children = 0, flops = 0;
  long faults = 0, childFaults = 0;  // page faults at entry; faults in child operators
  std::string op;          // the operator's own name
  bool redispatch = false;  // the same operator again inside itself (e.g. aten::addmm's CPU kernel)
};
thread_local std::vector<Frame> tStack;
std::map<std::string, std::pair<double, int64_t>> gSelf;  // name -> (self seconds, calls)
std::map<std::string, double> gFlops;                     // name -> GEMM flops
std::map<std::string, long> gFaults;                      // name -> page faults (self)

// Multiply-add flops of a matrix product from its inputs (0 for other operators).
double gemmFlops(const at::RecordFunction& fn) {
  const std::string n = fn.name();
  const auto in = fn.inputs();
  auto tensor = [&](size_t i) { return i < in.size() && in[i].isTensor() ? in[i].toTensor() : at::Tensor(); };
  at::Tensor a, b;
  if (n == "aten::mm" || n == "aten::bmm" || n == "automoe::sgemm" || n == "automoe::bf16_gemm") a = tensor(0), b = tensor(1);
  else if (n == "aten::addmm" || n == "aten::baddbmm") a = tensor(1), b = tensor(2);
  if (!a.defined() || !b.defined()) return 0;
  return 2.0 * static_cast<double>(a.numel()) * static_cast<double>(b.size(-1));
}
bool gOn = false;
bool gNested = false;  // key ops by "outermost > parent > op" instead of "op"
bool gShapes = false;  // key matrix products by their shape (rows rounded up to 64) too
bool gShapeBuckets = false;  // ... or by their smallest dimension only (--shapes 2)

// "aten::mm [m~R x k x n LL]" for a matrix product (R: rows rounded up to 64; L: N for a
// row-major operand, T for a transposed one), or "aten::mm [smallest dim <= P]" with --shapes 2;
// the name alone for other operators.
std::string shapeKey(const at::RecordFunction& fn, std::string name) {
  const auto in = fn.inputs();
  if (name == "aten::copy_" && in.size() >= 2 && in[0].isTensor() && in[1].isTensor()) {  // dtypes, layouts, size
    const at::Tensor dst = in[0].toTensor(), src = in[1].toTensor();
    auto layout = [](const at::Tensor& t) { return t.is_contiguous() ? "contiguous" : "strided"; };
    int64_t bucket = 1;
    while (bucket < dst.numel()) bucket *= 4;
    return name + " [" + c10::toString(src.scalar_type()) + " " + layout(src) + " -> " + c10::toString(dst.scalar_type()) +
           " " + layout(dst) + ", numel <= " + std::to_string(bucket) + "]";
  }
  const size_t first = name == "aten::addmm" ? 1 : 0;
  if ((name != "aten::mm" && name != "aten::addmm" && name != "automoe::sgemm" && name != "automoe::bf16_gemm") || in.size() < first + 2 || !in[first].isTensor() ||
      !in[first + 1].isTensor())
    return name;
  const at::Tensor a = in[first].toTensor(), b = in[first + 1].toTensor();
  if (a.dim() != 2 || b.dim() != 2) return name;
  auto layout = [](const at::Tensor& t) { return t.stride(1) == 1 ? 'N' : 'T'; };
  char buf[96];
  if (gShapeBuckets) {  // by the smallest of the three dimensions, rounded up to a power of two
    const int64_t small = std::min({a.size(0), a.size(1), b.size(1)});
    int64_t bucket = 1;
    while (bucket < small) bucket *= 2;
    std::snprintf(buf, sizeof buf, " [smallest dim <= %lld]", static_cast<long long>(bucket));
    return name + buf;
  }
  std::snprintf(buf, sizeof buf, " [m~%lld x %lld x %lld %c%c]", static_cast<long long>((a.size(0) + 63) / 64 * 64),
                static_cast<long long>(a.size(1)), static_cast<long long>(b.size(1)), layout(a), layout(b));
  return name + buf;
}

struct Dummy : at::ObserverContext {};

std::unique_ptr<at::ObserverContext> onEnter(const at::RecordFunction& fn) {
  if (!gOn) return std::make_unique<Dummy>();
  // An operator recorded again inside itself (the dispatcher's redispatch) is one call: its time
  // goes to the outer one's row and its flops are not counted twice (they were: bf16 addmm showed
  // twice its measured rate).
  if (!tStack.empty() && tStack.back().op == fn.name()) {
    const Frame& outer = tStack.back();
    tStack.push_back({outer.name, threadSeconds(), 0, 0, threadMinorFaults(), 0, outer.op, true});
    return std::make_unique<Dummy>();
  }
  std::string name = fn.name();
  if (gShapes) name = shapeKey(fn, name);
  if (gNested && !tStack.empty())
    name = tStack.front().name.substr(0, tStack.front().name.find(" > ")) + " > " +
           (tStack.size() > 1 ? tStack.back().name.substr(tStack.back().name.rfind(" > ") + 3) + " > " : "") + name;
  tStack.push_back({name, threadSeconds(), 0, gemmFlops(fn), threadMinorFaults(), 0, fn.name(), false});
  return std::make_unique<Dummy>();
}

void onExit(const at::RecordFunction&, at::ObserverContext*) {
  if (!gOn || tStack.empty()) return;
  const Frame f = tStack.back();
  tStack.pop_back();
  const double total = threadSeconds() - f.start;
  const long faults = threadMinorFaults() - f.faults;
  auto& s = gSelf[f.name];
  s.first += total - f.children;
  gFlops[f.name] += f.flops;
  gFaults[f.name] += faults - f.childFaults;
  if (!f.redispatch) ++s.second;
  if (!tStack.empty()) {
    tStack.back().children += total;
    tStack.back().childFaults += faults;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (answerBlasSelfTest(argc, argv)) return 0;  // child of checkBlasKernel
  const char* prog = "bench_train_profile";
  bench::checkBenchArgs(argc, argv, prog, "Per-operator CPU time of supernet training updates (wmt14.en-de space).",
                        {{"--mode", "fp32|bf16 (fp32)"},
                         {"--gemm", "auto|blas|onednn: the fp32 CPU GEMM (auto)"},
                         {"--clip", "X: gradient clipping norm, 0 = off (0)"},
                         {"--space", "moe|dense (moe)"},
                         {"--updates", "N: updates to run (6)"},
                         {"--warmup", "N: updates before timing starts (2)"},
                         {"--top", "N: rows to print (40)"},
                         {"--nested", "1: key operators by their callers too"},
                         {"--shapes", "1: key products by shape; 2: by their smallest dimension"},
                         {"--threads", "N: intra-op threads (1)"},
                         {"--bf16-products", "auto|libtorch|fp32_gemm (auto)"},
                         {"--blas", "auto|default: as `automoe --blas` (auto)"},
                         {"--bf16-direct", "1|0: bf16 linear products straight through oneDNN (1; onednn_bf16_matmul.h)"},
                         {"--bf16-shadow", "1|0: bf16 weight copies kept by the optimizer (1; bf16_weight_shadow.h)"},
                         {"--aliasing-copies", "1|0: cpuMatmul's copies of cache-aliasing operands (1; cpu_gemm.h)"},
                         {"--launch", "automoe|as-is: start as `automoe train` does, or as started (automoe)"}});
  const std::string launch = bench::argOf(argc, argv, "--launch", "automoe");
  const std::string blasMode = bench::argOf(argc, argv, "--blas", "auto");
  if (launch != "automoe" && launch != "as-is") {
    std::fprintf(stderr, "%s: --launch: automoe or as-is, got '%s'\n", prog, launch.c_str());
    return 2;
  }
  if (blasMode != "auto" && blasMode != "default") {
    std::fprintf(stderr, "%s: --blas: auto or default, got '%s'\n", prog, blasMode.c_str());
    return 2;
  }
  if (launch == "automoe") launchAsHeavyProcess(argc, argv, blasMode == "default");  // as `automoe train`
  const std::string mode = bench::argOf(argc, argv, "--mode", "fp32"), space = bench::argOf(argc, argv, "--space", "moe");
  const std::string gemm = bench::argOf(argc, argv, "--gemm", "auto");
  if (mode != "fp32" && mode != "bf16") {
    std::fprintf(stderr, "%s: --mode: fp32 or bf16, got '%s'\n", prog, mode.c_str());
    return 2;
  }
  if (gemm != "auto" && gemm != "blas" && gemm != "onednn") {
    std::fprintf(stderr, "%s: --gemm: auto, blas or onednn, got '%s'\n", prog, gemm.c_str());
    return 2;
  }
  const int updates = static_cast<int>(bench::benchIntArg(argc, argv, prog, "--updates", 6, 1));
  const int warmup = static_cast<int>(bench::benchIntArg(argc, argv, prog, "--warmup", 2, 0));
  const int top = static_cast<int>(bench::benchIntArg(argc, argv, prog, "--top", 40, 0));
  const int threads = static_cast<int>(bench::benchIntArg(argc, argv, prog, "--threads", 1, 1));
  const std::string clipText = bench::argOf(argc, argv, "--clip", "0");
  char* clipEnd = nullptr;
  const double clip = std::strtod(clipText.c_str(), &clipEnd);
  if (clipEnd == clipText.c_str() || *clipEnd != '\0' || !(clip >= 0)) {
    std::fprintf(stderr, "%s: --clip: expected a norm of 0 or more, got '%s'\n", prog, clipText.c_str());
    return 2;
  }
  gNested = bench::argOf(argc, argv, "--nested", "0") == "1";
  const std::string shapes = bench::argOf(argc, argv, "--shapes", "0");
  gShapes = shapes == "1" || shapes == "2";
  gShapeBuckets = shapes == "2";
  if (warmup >= updates) {
    std::fprintf(stderr, "%s: --warmup %d leaves no update to time (--updates %d)\n", prog, warmup, updates);
    return 2;
  }
  if (space != "moe" && space != "dense") {
    std::fprintf(stderr, "%s: --space: moe or dense, got '%s'\n", prog, space.c_str());
    return 2;
  }
  const std::string products = bench::argOf(argc, argv, "--bf16-products", "");
  if (!products.empty()) {
    if (products != "auto" && products != "libtorch" && products != "fp32_gemm") {
      std::fprintf(stderr, "%s: --bf16-products: auto, libtorch or fp32_gemm, got '%s'\n", prog, products.c_str());
      return 2;
    }
    setCpuBf16Products(products == "auto" ? CpuBf16Products::Auto
                       : products == "libtorch" ? CpuBf16Products::Native : CpuBf16Products::ViaFloat);
  }
  const std::string copies = bench::argOf(argc, argv, "--aliasing-copies", "1");
  if (copies != "1" && copies != "0") {
    std::fprintf(stderr, "%s: --aliasing-copies: 1 or 0, got '%s'\n", prog, copies.c_str());
    return 2;
  }
  setCpuGemmAliasingCopies(copies == "1");
  const std::string direct = bench::argOf(argc, argv, "--bf16-direct", "1");
  if (direct != "1" && direct != "0") {
    std::fprintf(stderr, "%s: --bf16-direct: 1 or 0, got '%s'\n", prog, direct.c_str());
    return 2;
  }
  setOneDnnBf16Matmul(direct == "1");
  const std::string shadow = bench::argOf(argc, argv, "--bf16-shadow", "1");
  if (shadow != "1" && shadow != "0") {
    std::fprintf(stderr, "%s: --bf16-shadow: 1 or 0, got '%s'\n", prog, shadow.c_str());
    return 2;
  }
  setBf16WeightShadows(shadow == "1");
  const BlasInfo blas = detectBlas();
  std::printf("launch: %s; BLAS %s kernel %s (%s); OpenMP wait %s; heap pages %s\n", launch.c_str(),
              blas.library.c_str(), blas.core.c_str(), blas.decision.empty() ? "as started" : blas.decision.c_str(),
              openMpWaitSetting().c_str(), hugePageSetting().c_str());
  keepLargeAllocationsInHeap();
  at::set_num_threads(threads);
  Project p = Project::load(AUTOMOE_SOURCE_DIR "/projects/wmt14-en-de/project.json");
  p.model.vocabSize = 16004;
  if (space == "dense") p.space.encoder.experts = p.space.decoder.experts = {1};
  SyntheticCorpusOptions co;
  co.maxTokens = 1024;
  auto data = std::make_shared<SyntheticTranslationData>(co);
  TrainingOptions o;
  o.maxUpdates = 40000;
  o.lr = {"cosine", 1e-3, 1e-7, 1e-7, 10000, 40000};
  o.precision = mode;
  o.cpuGemm = gemm;
  o.clipNorm = clip;
  o.threads = threads;
  const bench::BenchRunDir runDir("automoe_bench_profile");  // outlives the trainer
  Trainer trainer(p, o, data, runDir.path());
  at::addGlobalCallback(at::RecordFunctionCallback(onEnter, onExit).needsInputs(true).scopes(
      {at::RecordScope::FUNCTION, at::RecordScope::BACKWARD_FUNCTION, at::RecordScope::USER_SCOPE}));
  double stepCpu = 0, stepWall = 0;
  int64_t tokens = 0;
  for (int u = 0; u < updates; ++u) {
    gOn = u >= warmup;
    TrainStepStats st;
    const double c0 = threadSeconds(), k0 = threadSystemSeconds();
    const long f0 = threadMinorFaults();
    trainer.trainStep(st);
    const double c = threadSeconds() - c0, k = threadSystemSeconds() - k0;
    std::printf("update %d: %.3f s wall, %.3f s cpu (%.3f s kernel, %ld page faults), %lld tokens, %s\n", u + 1,
                st.secondsPerUpdate, c, k, threadMinorFaults() - f0, static_cast<long long>(st.targetTokens),
                st.arch.c_str());
    if (u >= warmup) {
      stepCpu += c;
      stepWall += st.secondsPerUpdate;
      tokens += st.targetTokens;
    }
  }
  gOn = false;
  const int n = updates - warmup;
  double attributed = 0;
  std::vector<std::pair<double, std::string>> rows;
  for (const auto& [name, s] : gSelf) {
    std::string label = name + " (" + std::to_string(s.second / n) + " calls";
    if (gFlops[name] > 0) label += ", " + std::to_string(static_cast<int>(gFlops[name] / s.first / 1e9)) + " GFLOP/s";
    if (gFaults[name] >= n) label += ", " + std::to_string(gFaults[name] / n) + " page faults";
    rows.emplace_back(s.first / n, label + ")");
    attributed += s.first / n;
  }
  std::sort(rows.rbegin(), rows.rend());
  std::printf("per update: %.3f s cpu (%.1f tok/cpu-s), %.3f s wall; ops self time %.3f s\n", stepCpu / n,
              static_cast<double>(tokens) / stepCpu, stepWall / n, attributed);
  for (int i = 0; i < top && i < static_cast<int>(rows.size()); ++i)
    std::printf("%8.4f s %5.1f%%  %s\n", rows[i].first, 100 * rows[i].first / (stepCpu / n), rows[i].second.c_str());
  return 0;
}
