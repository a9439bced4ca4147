// Benchmark: latency of the three wmt14.en-de subnets of peer_baseline.md (largest / middle /
// smallest) under AutoMoE's protocol: batch 1, 30-token source, 30 incremental decoder steps,
// beam 5, 1 thread, fp32, vocabulary 16,008 (the peer's dictionary), standalone subnet in eval
// mode under InferenceMode, 5 warm-up + 20 measured runs, 10% trimmed at each end.
//
// OPENBLAS_CORETYPE is read when OpenBLAS loads, so the benchmark re-executes itself once per
// setting (unset, tuned = the fastest kernel this CPU can run, Prescott) and prints one table. The
// peer's figures: its OpenBLAS did not recognise its AVX-512 CPU and ran Prescott kernels by
// default, SkylakeX when set; the kernel is printed per row, and the like-for-like pairs are
// ours/SkylakeX vs peer/SkylakeX and ours/Prescott vs peer/default (none for other kernels).
//
// Two protocols are measured: "automoe" feeds every beam row the same fixed prefix as AutoMoE's
// measure_latency (the comparison with the peer), "beam_search" runs a real beam search forced
// to 30 steps (what `automoe latency measure` reports by default; its rows differ, so MoE layers
// read more experts per step). Beside each figure: the FLOP-bound time at the GEMM rate measured
// in the same process, the weight-read bound at the measured memory read rate, and the CPU time
// of the measuring thread (robust to other jobs on a shared machine).
//
// usage: bench_latency [--runs N] [--warmup N] [--settings unset,tuned,Prescott]
//                      [--protocols automoe,beam_search] [--subnets largest,middle,smallest]
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "arch/arch_config.h"
#include "arch/arch_stats.h"
#include "arch/search_space.h"
#include "latency/latency_profiler.h"
#include "latency/provenance.h"
#include "util/allocator_tuning.h"

#include "peer_reference.h"

using namespace automoe;
using namespace automoe::bench;

namespace {

constexpr int64_t kPeerVocab = 16008;

struct Peer {
  const char* subnet;
  double def[2], skx[2];  // two repeats each (peer_baseline.md, items 3 and 4)
};
const Peer kPeer[] = {{"largest", {1807.7, 1808.9}, {1457.3, 1390.5}},
                      {"middle", {911.2, 903.2}, {707.2, 828.8}},
                      {"smallest", {403.6, 361.5}, {293.9, 283.2}}};
double nowMs() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double threadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// fp32 GEMM rate with the peer's check shape: 1024 x 640 -> 3072 (F.linear), 1 thread.
double gemmGflops() {
  const at::Tensor x = at::randn({1024, 640}), w = at::randn({3072, 640});
  at::linear(x, w);
  std::vector<double> r;
  for (int i = 0; i < 7; ++i) {
    const double t0 = nowMs();
    at::linear(x, w);
    r.push_back(2.0 * 1024 * 640 * 3072 / ((nowMs() - t0) * 1e-3) / 1e9);
  }
  return median(r);
}

// Read rate over 512 MiB (beyond any cache), GB/s.
double readGBps() {
  const at::Tensor a = at::ones({128 * 1024 * 1024});
  a.sum();
  std::vector<double> r;
  for (int i = 0; i < 5; ++i) {
    const double t0 = nowMs();
    a.sum();
    r.push_back(a.numel() * 4.0 / ((nowMs() - t0) * 1e-3) / 1e9);
  }
  return median(r);
}

std::string loadAvg() {
  double l = 0;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &l) != 1) l = -1;
    std::fclose(f);
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", l);
  return buf;
}

// FLOPs and weight bytes of one protocol run: encoder once, 30 steps of 5 rows each reading the
// decoder weights with one expert per layer (AutoMoE recipe) and the output projection.
void bounds(const ArchConfig& a, double& flops, double& bytes) {
  const ArchStats s = computeArchStats(a, 512, kPeerVocab, 30, 30);
  double enc = 0, dec = 0;
  for (const auto& l : s.encoderLayers) enc += l.flops;
  for (const auto& l : s.decoderLayers) dec += l.flops;
  flops = enc + 5 * (dec + s.outputProjectionFlops);
  double encParams = 0, decActive = 0;
  for (const auto& l : s.encoderLayers) encParams += l.params;
  for (const auto& l : s.decoderLayers) decActive += l.activeParams;
  bytes = 4.0 * (encParams + 30 * (decActive + double(kPeerVocab) * a.decoder.embedDim));
}

int child(int argc, char** argv) {
  at::set_num_threads(1);
  keepLargeAllocationsInHeap();
  const std::string setting = argOf(argc, argv, "--child", "unset");
  const double gflops = gemmGflops(), gbps = readGBps();
  ModelOptions model;
  model.vocabSize = kPeerVocab;
  const SearchSpace space = wmtSpace();
  for (const std::string& protocol : splitList(argOf(argc, argv, "--protocols", "automoe,beam_search")))
    for (const std::string& name : splitList(argOf(argc, argv, "--subnets", "largest,middle,smallest"))) {
      HardwareProfile h;
      h.name = "bench";
      h.warmup = std::atoi(argOf(argc, argv, "--warmup", "5").c_str());
      h.runs = std::atoi(argOf(argc, argv, "--runs", "20").c_str());
      h.protocol = protocol;
      const ArchConfig arch = peerSubnet(name);
      LatencyProfiler profiler(h, space, model);
      std::vector<double> cpu;
      profiler.setClock([&] {
        cpu.push_back(threadCpuMs());
        return nowMs();
      });
      const std::string load0 = loadAvg();
      const auto m = profiler.measure(arch);
      std::vector<double> cpuRuns;  // CPU ms of each measured run (encoder + decoder)
      for (size_t r = h.warmup; r < cpu.size() / 3; ++r) cpuRuns.push_back(cpu[3 * r + 2] - cpu[3 * r]);
      double flops = 0, bytes = 0;
      bounds(arch, flops, bytes);
      const nlohmann::json j = {{"setting", setting},  {"core", blasCoreName()}, {"protocol", protocol},
                                {"subnet", name},      {"ms", m->meanMs()},      {"cv", m->total.cv},
                                {"enc_ms", m->encoder.mean}, {"cpu_ms", trimmedStats(cpuRuns).mean},
                                {"flop_bound_ms", flops / (gflops * 1e9) * 1e3},
                                {"read_bound_ms", bytes / (gbps * 1e9) * 1e3},
                                {"gflops", gflops},    {"gbps", gbps},
                                {"load", load0 + "-" + loadAvg()}};
      std::printf("RESULT %s\n", j.dump().c_str());
      std::fflush(stdout);
      std::fprintf(stderr, "  %s %s %s: %.1f ms\n", setting.c_str(), protocol.c_str(), name.c_str(), m->meanMs());
    }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argOf(argc, argv, "--child", "").size()) return child(argc, argv);
  checkBenchArgs(argc, argv, "bench_latency", "Latency of the three wmt14.en-de reference subnets per BLAS setting.",
                 {{"--settings", "LIST: BLAS settings, of unset, tuned, or a kernel name (unset,tuned,Prescott)"},
                  {"--protocols", "LIST: automoe,beam_search"},
                  {"--subnets", "LIST: largest,middle,smallest"},
                  {"--warmup", "N: warm-up runs (5)"},
                  {"--runs", "N: measured runs (20)"}});
  benchIntArg(argc, argv, "bench_latency", "--warmup", 5, 0);  // checked here, read by the children
  benchIntArg(argc, argv, "bench_latency", "--runs", 20, 1);
  std::string pass;
  for (const char* f : {"--runs", "--warmup", "--protocols", "--subnets"}) {
    const std::string v = argOf(argc, argv, f, "");
    if (!v.empty()) pass += std::string(" ") + f + " " + v;
  }
  std::vector<nlohmann::json> rows;
  for (auto& row : runPerBlasSetting(argOf(argc, argv, "--settings", "unset,tuned,Prescott"), pass))
    rows.push_back(std::move(row));
  std::printf("bench_latency: wmt14.en-de subnets, batch 1, source 30, 30 decoder steps, beam 5, 1 thread, "
              "fp32, vocab %lld; trimmed mean of 20 runs after 5 warm-ups\n", static_cast<long long>(kPeerVocab));
  std::map<std::string, std::string> rates;  // per setting, from its child process
  for (const auto& r : rows) {
    char b[128];
    std::snprintf(b, sizeof b, "GEMM %.0f GFLOP/s, read %.1f GB/s", r["gflops"].get<double>(),
                  r["gbps"].get<double>());
    rates.emplace(r["setting"].get<std::string>() + " (" + r["core"].get<std::string>() + ")", b);
  }
  for (const auto& [setting, rate] : rates)
    std::printf("  %-20s %s (1 thread: 1024x640 -> 3072 F.linear; sum over 512 MiB)\n", setting.c_str(),
                rate.c_str());
  std::printf("%-11s %-9s %-12s %-9s %9s %5s %9s %8s %9s %9s %15s %7s %s\n", "protocol", "setting", "kernel",
              "subnet", "ours ms", "cv%", "cpu ms", "enc ms", "FLOP ms", "read ms", "peer ms", "ratio", "load");
  for (const auto& r : rows) {
    const std::string subnet = r["subnet"], setting = r["setting"], core = r["core"];
    std::string peer = "-";
    double peerMin = 0;
    if (r["protocol"] == "automoe")
      for (const Peer& p : kPeer)
        if (subnet == p.subnet) {
          const bool skx = core == "SkylakeX";
          const double* v = skx ? p.skx : p.def;
          if (skx || core == "Prescott") {
            char b[64];
            std::snprintf(b, sizeof b, "%.0f-%.0f", std::min(v[0], v[1]), std::max(v[0], v[1]));
            peer = b;
            peerMin = std::min(v[0], v[1]);
          }
        }
    char ratio[16] = "-";
    if (peerMin > 0) std::snprintf(ratio, sizeof ratio, "%.2f", r["ms"].get<double>() / peerMin);
    std::printf("%-11s %-9s %-12s %-9s %9.1f %5.1f %9.1f %8.1f %9.1f %9.1f %15s %7s %s\n",
                r["protocol"].get<std::string>().c_str(), setting.c_str(), core.c_str(), subnet.c_str(),
                r["ms"].get<double>(), 100 * r["cv"].get<double>(), r["cpu_ms"].get<double>(),
                r["enc_ms"].get<double>(), r["flop_bound_ms"].get<double>(), r["read_bound_ms"].get<double>(),
                peer.c_str(), ratio, r["load"].get<std::string>().c_str());
  }
  std::printf("peer: AutoMoE's Python code on this machine type (peer_baseline.md items 3/4); its default BLAS "
              "ran Prescott kernels. ratio = ours / the peer's better repeat; target <= 0.5.\n"
              "FLOP ms = FLOPs of the run (encoder + 5 rows x 30 steps incl. vocabulary projection) at the GEMM "
              "rate; read ms = weights the run must read (encoder once, per step the decoder's non-expert weights, "
              "one expert per layer and the vocabulary projection) at the read rate.\n");
  return 0;
}
