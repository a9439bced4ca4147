// Benchmark: SuperTransformer training throughput in the peer configuration of
// shared/reference/peer_baseline.md: AutoMoE's wmt14.en-de space with up to 6 fractional experts
// per layer, a synthetic corpus (20,000 pairs, 8-50 words, Zipf words over 8,000 types per side,
// 16,004-entry joint vocabulary), max-tokens 1024, one subnet per update (seeded by the update),
// 10 updates; statistics over updates 3-10. Each (threads, mode, space) runs in its own process so
// that the BLAS kernel can be chosen through OPENBLAS_CORETYPE and peak RSS is per run. A mode's MoE
// and dense processes run in lockstep: they take turns, one update each (set-up and the first GEMM
// trials count as a turn), so that this machine's drifting speed (its GEMM rate moves by 5-10% from
// one minute to the next) falls on both spaces alike and the MoE/dense ratio compares like with like.
//
// Modes: fp32 with OpenBLAS's generic kernel (what Debian's OpenBLAS 0.3.21 runs on CPUs it does not
// recognise: the peer's "default" rows), fp32 with the fastest kernel this CPU can run
// (BlasInfo::fastestCore: SkylakeX with AVX-512, the peer's SkylakeX rows; Haswell or OpenBLAS's own
// choice, e.g. Zen, where AVX-512 is absent or masked), fp32 with the linear layers' products through
// oneDNN's sgemm (training.cpu_gemm "onednn", what "auto" picks where the build has oneDNN; other
// products with the tuned BLAS kernel), bf16 mixed precision (on a CPU without bf16 products,
// taken through the fp32 GEMM: model/bf16_products.h). Each mode's FLOP bound uses the
// 1024^3 rate of the backend it trains with, measured in the same process before training and
// between the measured updates. Spaces: MoE (experts 1..6) and dense (experts 1, the HAT space).
//
// With --updates above 10, a second line per run gives the same statistics over updates 11..N
// (later in the run, when fewer pages are touched for the first time and fewer kernels built).
// --modes picks a subset of the modes (e.g. fp32-onednn,bf16); --threads a list of counts.
//
// usage: bench_train_throughput [--threads 1,2] [--updates 10]
#include <fcntl.h>
#include <csignal>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "arch/arch_stats.h"
#include "bench_args.h"
#include "bench_run_dir.h"
#include "model/bf16_products.h"
#include "model/bf16_weight_shadow.h"
#include "model/cpu_gemm.h"
#include "model/onednn_bf16_matmul.h"
#include "project/project.h"
#include "train/subnet_sampler.h"
#include "train/synthetic_translation_data.h"
#include "train/trainer.h"
#include "util/allocator_tuning.h"
#include "util/blas_info.h"
#include "util/cpu_bf16.h"
#include "util/heap_allocator.h"
#include "util/huge_pages.h"
#include "util/openmp_wait.h"

using namespace automoe;

namespace {

// 1024^3 products per second in the mode's type, through the backend the mode trains with: one
// trial of 4 products (a tenth of a second or less).
struct GemmTrial {
  at::Tensor a, b;
  bool viaFloat = false;  // bf16 through the fp32 GEMM, as the model's products (bf16_products.h)
  explicit GemmTrial(bool bf16) {
    const auto type = bf16 ? at::kBFloat16 : at::kFloat;
    a = at::randn({1024, 1024}).to(type);
    b = at::randn({1024, 1024}).to(type);
    viaFloat = bf16 && bf16ProductsViaFloat(at::kCPU);
    product();  // builds oneDNN's kernel, faults the result's pages in
  }
  at::Tensor product() const {
    if (viaFloat) return bf16MatmulViaFloat(a, false, b, false);
    // bf16 training products go straight through oneDNN where it can (onednn_bf16_matmul.h)
    if (a.scalar_type() == at::kBFloat16 && oneDnnBf16MatmulAvailable()) return oneDnnBf16Matmul(a, false, b, false);
    return cpuMatmul(a, false, b, false);
  }
  double operator()() const {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 4; ++i) product();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return 4 * 2.0 * 1024 * 1024 * 1024 / s / 1e9;
  }
};

// The machine's steal time so far (/proc/stat, all CPUs, seconds): time the hypervisor ran other
// guests on this guest's CPUs. 0 where the kernel does not account it.
double stealSeconds() {
  std::FILE* f = std::fopen("/proc/stat", "r");
  if (f == nullptr) return 0;
  unsigned long long user, nice, system, idle, iowait, irq, softirq, steal = 0;
  const int n = std::fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &system, &idle, &iowait,
                            &irq, &softirq, &steal);
  std::fclose(f);
  return n == 8 ? static_cast<double>(steal) / static_cast<double>(sysconf(_SC_CLK_TCK)) : 0.0;
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

// The child's side of the lockstep (BENCH_LOCKSTEP="GO,DONE": two inherited pipe ends): a turn
// starts when a byte arrives on GO and ends with a byte written to DONE. Without it (or once the
// parent has closed GO) the child runs freely.
struct Lockstep {
  int go = -1, done = -1;
  Lockstep() {
    if (const char* fds = std::getenv("BENCH_LOCKSTEP")) std::sscanf(fds, "%d,%d", &go, &done);
  }
  void begin() {
    char c;
    if (go >= 0 && read(go, &c, 1) != 1) go = -1;
  }
  void end() {
    const char c = 1;
    if (done >= 0 && write(done, &c, 1) != 1) done = -1;
  }
};

int child(const std::string& mode, const std::string& space, int threads, int updates) {
  Lockstep turn;
  turn.begin();  // set-up and the first trials: the first turn
  keepLargeAllocationsInHeap();
  // A/B of the bf16 weight shadows (model/bf16_weight_shadow.h): BENCH_BF16_SHADOW=0 casts per use.
  const char* shadow = std::getenv("BENCH_BF16_SHADOW");
  setBf16WeightShadows(shadow == nullptr || std::strcmp(shadow, "0") != 0);
  at::set_num_threads(threads);
  Project p = Project::load(AUTOMOE_SOURCE_DIR "/projects/wmt14-en-de/project.json");
  p.model.vocabSize = 16004;
  if (space == "dense") p.space.encoder.experts = p.space.decoder.experts = {1};
  SyntheticCorpusOptions co;  // the peer corpus
  co.maxTokens = 1024;
  auto data = std::make_shared<SyntheticTranslationData>(co);
  TrainingOptions o;
  o.maxUpdates = 40000;
  o.lr = {"cosine", 1e-3, 1e-7, 1e-7, 10000, 40000};
  o.precision = mode == "bf16" ? "bf16" : "fp32";
  o.cpuGemm = mode == "fp32-onednn" ? "onednn" : mode == "bf16" ? "auto" : "blas";
  o.threads = threads;
  const bench::BenchRunDir runDir("automoe_bench_train");  // outlives the trainer
  Trainer trainer(p, o, data, runDir.path());
  SubnetSampler sampler(p.space, "uniform", p.seed);
  // The rate: the median of 7 trials before training and one before each of updates 3-10 (outside
  // their timing). This machine's speed drifts (single 7-trial medians moved between 161 and 195
  // GFLOP/s from one process to the next), so the trials are spread over the measured window.
  const GemmTrial trial(mode == "bf16");
  std::vector<double> rates;
  for (int i = 0; i < 7; ++i) rates.push_back(trial());
  turn.end();
  double secs = 0, tokens = 0, flops = 0;
  std::vector<double> perUpdate, perUpdateTokens, perUpdateFlops;  // every update, for other windows
  struct rusage before {}, after {};
  // Steal over the window of updates 3-10, as a share of the CPUs' time then.
  double stealBefore = 0, stealAfter = 0;
  auto windowStart = std::chrono::steady_clock::now(), windowEnd = windowStart;
  auto markEnd = [&] {
    getrusage(RUSAGE_SELF, &after);
    stealAfter = stealSeconds();
    windowEnd = std::chrono::steady_clock::now();
  };
  for (int u = 0; u < updates; ++u) {
    turn.begin();
    if (u >= 2 && u < 10) rates.push_back(trial());
    if (u == 2) {
      getrusage(RUSAGE_SELF, &before);
      stealBefore = stealSeconds();
      windowStart = std::chrono::steady_clock::now();
    }
    if (u == 10) markEnd();
    const ArchConfig arch = sampler.forStep(u).front();
    const TrainBatch b = data->trainBatch(0, static_cast<size_t>(u));
    TrainStepStats st;
    trainer.trainStep(st);
    perUpdate.push_back(st.secondsPerUpdate);
    const ArchStats s = computeArchStats(arch, p.space.qkvDim, p.model.vocabSize, static_cast<int>(b.src.size(1)),
                                         static_cast<int>(b.target.size(1)));
    const double updateFlops = 3.0 * static_cast<double>(b.src.size(0)) * s.flops;  // fwd + 2x bwd
    perUpdateTokens.push_back(static_cast<double>(st.targetTokens));
    perUpdateFlops.push_back(updateFlops);
    turn.end();
    if (u < 2 || u >= 10) continue;  // updates 1-2 allocate optimizer state; the statistics: 3-10
    secs += st.secondsPerUpdate;
    tokens += static_cast<double>(st.targetTokens);
    flops += updateFlops;
  }
  const double rate = median(rates);
  const double bound = flops / (rate * 1e9);
  std::vector<double> perUpdateBound;
  for (double f : perUpdateFlops) perUpdateBound.push_back(f / (rate * 1e9));
  if (updates <= 10) markEnd();
  const double window = std::chrono::duration<double>(windowEnd - windowStart).count();
  const double cpus = static_cast<double>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  const double steal = window > 0 ? (stealAfter - stealBefore) / (window * cpus) : 0.0;
  const int n = std::min(updates, 10) - 2;
  // Kernel time: mostly zero-filling pages touched for the first time (Adam moments of slices not
  // sampled before, growing activations); it fades as a run goes on.
  const double kernel = (static_cast<double>(after.ru_stime.tv_sec - before.ru_stime.tv_sec) +
                         1e-6 * static_cast<double>(after.ru_stime.tv_usec - before.ru_stime.tv_usec)) / n;
  nlohmann::json out = {{"mode", mode}, {"space", space}, {"threads", threads}, {"kernel_s_per_update", kernel},
                        {"steal_fraction", steal},
                        {"s_per_update", secs / n}, {"tok_per_s", tokens / secs},
                        {"flop_bound_s", bound / n}, {"gemm_gflops", rate},
                        {"gemm_gflops_trials", rates}, {"per_update", perUpdate},
                        {"per_update_tokens", perUpdateTokens}, {"per_update_flop_bound_s", perUpdateBound},
                        {"blas_core", detectBlas().core}};
  std::printf("RESULT %s\n", out.dump().c_str());
  return 0;
}

// A child process of one (mode, space, threads) run, driven turn by turn (Lockstep).
struct Child {
  pid_t pid = -1;
  int out = -1;              // its standard output
  int go = -1, done = -1;    // the parent's ends of the lockstep pipes
  // One turn: false (and no more turns) once the child has gone.
  bool turn() {
    const char c = 1;
    char r;
    if (go < 0) return false;
    if (write(go, &c, 1) != 1 || read(done, &r, 1) != 1) {
      close(go);
      go = -1;
      return false;
    }
    return true;
  }
};

Child startChild(const char* self, const std::string& mode, const std::string& space, int threads, int updates,
                 const std::string& tunedCore) {
  int outPipe[2] = {-1, -1}, goPipe[2] = {-1, -1}, donePipe[2] = {-1, -1};
  if (pipe(outPipe) != 0 || pipe(goPipe) != 0 || pipe(donePipe) != 0) {
    for (int fd : {outPipe[0], outPipe[1], goPipe[0], goPipe[1], donePipe[0], donePipe[1]})
      if (fd >= 0) close(fd);
    return {};
  }
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(outPipe[1], 1);
    close(outPipe[0]);
    close(goPipe[1]);
    close(donePipe[0]);
    const std::string fds = std::to_string(goPipe[0]) + "," + std::to_string(donePipe[1]);
    setenv("BENCH_LOCKSTEP", fds.c_str(), 1);
    // What `automoe train` runs with (util/heavy_process_launch.h), unless the caller chose
    // otherwise, but with each mode's own OpenBLAS kernel; the exec below loads it all fresh.
    capOpenMpSpinning();
    requestHugePageHeap();  // util/huge_pages.h; AUTOMOE_HUGE_PAGES=0 measures without
    if (mode == "fp32-generic") setenv("OPENBLAS_CORETYPE", "Prescott", 1);
    if (mode != "fp32-generic") setenv("OPENBLAS_CORETYPE", tunedCore.c_str(), 1);
    const std::string t = std::to_string(threads), u = std::to_string(updates);
    execl(self, self, "--child", mode.c_str(), space.c_str(), t.c_str(), u.c_str(), nullptr);
    _exit(127);
  }
  close(outPipe[1]);
  close(goPipe[0]);
  close(donePipe[1]);
  Child c;
  c.out = outPipe[0];
  c.go = goPipe[1];
  c.done = donePipe[0];
  for (int fd : {c.out, c.go, c.done}) fcntl(fd, F_SETFD, FD_CLOEXEC);  // not inherited by the next child
  if (pid < 0) {  // no process: nothing will answer
    close(c.out);
    close(c.go);
    close(c.done);
    return {};
  }
  c.pid = pid;
  return c;
}

// Waits for the child's end: its RESULT (null if it has none) and its peak RSS.
nlohmann::json finishChild(Child& c, long& maxRssKb) {
  maxRssKb = 0;
  if (c.pid < 0) return {};
  if (c.go >= 0) close(c.go);  // any turns left are its own
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(c.out, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  close(c.out);
  close(c.done);
  int status = 0;
  struct rusage ru {};
  wait4(c.pid, &status, 0, &ru);
  maxRssKb = ru.ru_maxrss;
  const auto pos = text.find("RESULT ");
  if (pos == std::string::npos) return {};
  return nlohmann::json::parse(text.substr(pos + 7, text.find('\n', pos) - pos - 7));
}

// The peer's target tokens/s of the MoE supernet in the same BLAS setting on a quiet machine
// (peer_baseline.md), as a range; {0, 0} where it has no such figure (oneDNN's sgemm and bf16 are
// ours only).
struct PeerTokPerS {
  double low = 0, high = 0;
};
PeerTokPerS peerTokPerS(const std::string& mode, int threads) {
  if (mode == "fp32-generic") return threads == 1 ? PeerTokPerS{69, 75} : threads == 2 ? PeerTokPerS{115, 137} : PeerTokPerS{};
  if (mode == "fp32-tuned") return threads == 1 ? PeerTokPerS{221, 221} : threads == 2 ? PeerTokPerS{281, 281} : PeerTokPerS{};
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 6 && std::strcmp(argv[1], "--child") == 0)
    return child(argv[2], argv[3], std::atoi(argv[4]), std::atoi(argv[5]));
  automoe::bench::checkBenchArgs(argc, argv, "bench_train_throughput",
                                 "Supernet training speed per BLAS mode against its FLOP bound and the peer.\n"
                                 "Environment: BENCH_BF16_SHADOW=0 trains bf16 without weight shadows (casts per use).",
                                 {{"--threads", "LIST: thread counts (1,2)"},
                                  {"--updates", "N: updates per run, at least 3 (10)"},
                                  {"--modes", "LIST: of fp32-generic, fp32-tuned, fp32-onednn, bf16 (all)"}});
  std::vector<int> threads = {1, 2};
  int updates = 10;
  std::vector<std::string> modes = {"fp32-generic", "fp32-tuned", "fp32-onednn", "bf16"};
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--threads") == 0) {  // one count or a list: 1 / 1,2
      threads.clear();
      for (const char* p = argv[i + 1]; *p; ++p)
        if (p == argv[i + 1] || p[-1] == ',') threads.push_back(std::atoi(p));
    }
    if (std::strcmp(argv[i], "--updates") == 0) updates = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--modes") == 0) {  // a subset, e.g. fp32-onednn,bf16
      modes.clear();
      std::string list = argv[i + 1];
      for (size_t a = 0, b; a <= list.size(); a = b + 1) {
        b = std::min(list.find(',', a), list.size());
        modes.push_back(list.substr(a, b - a));
      }
    }
  }
  if (updates < 3) {
    std::fprintf(stderr, "train_throughput: --updates: at least 3 (statistics start at update 3), got %d\n", updates);
    return 2;
  }
  for (int t : threads)
    if (t < 1) {
      std::fprintf(stderr, "train_throughput: --threads: counts of 1 or more, got %d\n", t);
      return 2;
    }
  for (const std::string& m : modes)
    if (m != "fp32-generic" && m != "fp32-tuned" && m != "fp32-onednn" && m != "bf16") {
      std::fprintf(stderr, "train_throughput: --modes: unknown mode '%s' (fp32-generic, fp32-tuned, fp32-onednn, bf16)\n",
                   m.c_str());
      return 2;
    }
  if (const char* shadow = std::getenv("BENCH_BF16_SHADOW");
      shadow != nullptr && std::strcmp(shadow, "0") != 0 && std::strcmp(shadow, "1") != 0) {
    std::fprintf(stderr, "train_throughput: BENCH_BF16_SHADOW: 1 or 0, got '%s'\n", shadow);
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);  // a child that has gone fails its turn (Child::turn) instead
  const BlasInfo blas = detectBlas();
  std::printf("train_throughput: wmt14.en-de space (MoE: 1-6 fractional experts), synthetic peer corpus, "
              "max-tokens 1024, %d updates, statistics over updates 3-%d\n", updates, std::min(updates, 10));
  const std::string tuned = blas.fastestCore();
  if (tuned.empty()) {
    std::fprintf(stderr, "train_throughput: the loaded BLAS is not OpenBLAS (%s); its kernel cannot be chosen\n",
                 blas.library.c_str());
    return 2;
  }
  std::printf("BLAS: %s, kernel without OPENBLAS_CORETYPE on this CPU: %s; tuned kernel: %s (AVX2 %s, AVX-512 %s)\n",
              blas.config.c_str(), blas.core.c_str(), tuned.c_str(), blas.cpuAvx2 ? "yes" : "no",
              blas.cpuAvx512 ? "yes" : "no");
  std::printf("heap: %s\n", heapAllocator().c_str());
  if (std::find(modes.begin(), modes.end(), "bf16") != modes.end())
    std::printf("bf16: cpu_bf16 %s, products %s\n", cpuBf16Name(cpuBf16Support()).c_str(),
                bf16ProductsViaFloat(at::kCPU)
                    ? "through the fp32 GEMM, rounded to bf16 (this CPU has no bf16 GEMM; model/bf16_products.h)"
                : oneDnnBf16MatmulAvailable()
                    ? "straight through oneDNN's matmul, run-time shapes (model/onednn_bf16_matmul.h)"
                    : "LibTorch's, through oneDNN");
  std::printf("%-3s %-13s %-6s %9s %9s %10s %11s %9s %10s %9s %6s  %s\n", "thr", "mode", "space", "s/update",
              "tgt tok/s", "FLOP-bnd s", "bnd ratio", "GFLOP/s", "peak RSS", "kernel s", "steal", "GFLOP/s trials");
  // Peer (quiet machine): tok/s at 1 thread 69-75 (generic kernel), 221 (SkylakeX); 2 threads
  // 115-137 / 281; peak RSS 5.6 GiB; MoE/dense 1.13 (generic) and 1.38 (SkylakeX) at 1 thread.
  for (int t : threads) {
    for (const std::string& mode : modes) {
      if (mode == "fp32-onednn" && !oneDnnGemmCompiledIn()) continue;
      double moe = 0, dense = 0, moeLater = 0, denseLater = 0;
      double moeRate = 0, denseRate = 0, moeBound = 0, denseBound = 0;
      // Both spaces' processes, in lockstep: set-up, then update by update, one turn each.
      const std::vector<std::string> spaces = {"moe", "dense"};
      std::vector<Child> children;
      for (const std::string& space : spaces) children.push_back(startChild(argv[0], mode, space, t, updates, tuned));
      for (int turn = 0; turn <= updates; ++turn)
        for (Child& c : children) c.turn();
      for (size_t i = 0; i < spaces.size(); ++i) {
        const std::string& space = spaces[i];
        long rss = 0;
        const nlohmann::json r = finishChild(children[i], rss);
        if (r.is_null()) {
          std::printf("%-3d %-13s %-6s   (run failed)\n", t, mode.c_str(), space.c_str());
          continue;
        }
        const double s = r["s_per_update"].get<double>();
        (space == "moe" ? moe : dense) = s;
        (space == "moe" ? moeRate : denseRate) = r["gemm_gflops"].get<double>();
        (space == "moe" ? moeBound : denseBound) = r["flop_bound_s"].get<double>();
        const auto trials = r["gemm_gflops_trials"].get<std::vector<double>>();
        std::printf("%-3d %-13s %-6s %9.2f %9.1f %10.2f %11.2f %9.1f %7.2f GiB %9.2f %5.1f%%  %.0f-%.0f\n", t,
                    mode.c_str(), space.c_str(), s, r["tok_per_s"].get<double>(), r["flop_bound_s"].get<double>(),
                    s / r["flop_bound_s"].get<double>(), r["gemm_gflops"].get<double>(), rss / 1048576.0,
                    r["kernel_s_per_update"].get<double>(), 100.0 * r["steal_fraction"].get<double>(),
                    *std::min_element(trials.begin(), trials.end()),
                    *std::max_element(trials.begin(), trials.end()));
        const auto later = r["per_update"].get<std::vector<double>>();
        if (later.size() > 10) {  // updates 11..N: the same statistics later in the run
          const auto tok = r["per_update_tokens"].get<std::vector<double>>();
          const auto bnd = r["per_update_flop_bound_s"].get<std::vector<double>>();
          double ls = 0, lt = 0, lb = 0;
          for (size_t i = 10; i < later.size(); ++i) {
            ls += later[i];
            lt += tok[i];
            lb += bnd[i];
          }
          const double k = static_cast<double>(later.size() - 10);
          (space == "moe" ? moeLater : denseLater) = ls / k;
          std::printf("    %-13s %-6s %9.2f %9.1f %10.2f %11.2f   (updates 11-%zu)\n", mode.c_str(), space.c_str(),
                      ls / k, lt / ls, lb / k, ls / lb, later.size());
        }
        const double tokPerS = r["tok_per_s"].get<double>();
        const PeerTokPerS peer = peerTokPerS(mode, t);
        // The measured rate and the most the FLOP bound allows, against the peer's (its figures are
        // of the MoE supernet).
        if (peer.low > 0 && space == "moe") {
          const double atBound = tokPerS * s / r["flop_bound_s"].get<double>();
          auto times = [&](double x) {  // "1.39x" or "1.35-1.47x"
            char buf[48];
            if (peer.low == peer.high) std::snprintf(buf, sizeof buf, "%.2fx", x / peer.low);
            else std::snprintf(buf, sizeof buf, "%.2f-%.2fx", x / peer.high, x / peer.low);
            return std::string(buf);
          };
          std::printf("    %-13s %-6s %s the peer's tok/s; at the FLOP bound (%.0f tok/s) it would be %s\n",
                      mode.c_str(), space.c_str(), times(tokPerS).c_str(), atBound, times(atBound).c_str());
        }
        std::fflush(stdout);
      }
      if (moe > 0 && dense > 0) {
        // The two spaces take turns (lockstep), yet each measures its own GEMM rate. Two corrected
        // figures: at equal GEMM rate (each time scaled by its run's 1024^3 rate) and per FLOP
        // (also divided by the sampled subnets' FLOPs, which differ a little between the spaces).
        std::printf("    %-13s MoE/dense step-time ratio %.2f", mode.c_str(), moe / dense);
        if (moeLater > 0 && denseLater > 0) std::printf(" (updates 11-%d: %.2f)", updates, moeLater / denseLater);
        std::printf("; at equal GEMM rate %.2f, per FLOP %.2f\n", moe * moeRate / (dense * denseRate),
                    (moe / moeBound) / (dense / denseBound));
      }
    }
  }
  std::printf("kernel s: system time per update (updates 3-%d), mostly zero-filling pages touched for the first"
              " time; it fades as a run goes on.\n", std::min(updates, 10));
  std::printf("steal: the share of this machine's CPU time the hypervisor gave to other guests during updates 3-%d"
              " (/proc/stat); a row with more than a few percent was measured on a busy host.\n", std::min(updates, 10));
  std::printf("GFLOP/s: the median of 1024^3 product trials, 7 before training and one before each of updates 3-10;"
              " the range of all trials after it.\n");
  std::printf("peer (AutoMoE, same work, measured on an Intel Xeon with AVX-512): 1 thread 69-75 tok/s generic, 221 SkylakeX; 2 threads "
              "115-137 / 281;\n"
              "  MoE/dense 1.13 generic, 1.38 SkylakeX; peak RSS 5.6 GiB. Targets: >= 1.5x peer tok/s, each mode\n"
              "  within 1.2x of its FLOP bound, MoE/dense <= 1.1, peak RSS below the peer's.\n");
  return 0;
}
