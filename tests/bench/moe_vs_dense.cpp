// Benchmark: forward+backward time of a top-1 MoE layer over E experts against a dense FFN with
// the same active FLOPs (the dense width equals every expert's width), on the same tokens, in one
// run. Also measures the machine's fp32 GEMM rate so the times can be read against it.
// Target (issue 2): MoE / dense <= 1.15.
//
// Rows are measured at 1024 tokens (the peer benchmark's max-tokens) and 4096 tokens (AutoMoE's
// max-tokens per batch); with E experts each GEMM sees tokens/E rows, and OpenBLAS loses
// efficiency below a few hundred rows, so the ratio depends on the batch.
//
// usage: bench_moe_vs_dense [--tokens N] [--dim D] [--ffn F] [--experts E] [--reps R] [--threads T]
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "arch/arch_config.h"
#include "model/moe_layer.h"
#include "util/allocator_tuning.h"

#include "bench_args.h"

using namespace automoe;

namespace {

double seconds(const std::chrono::steady_clock::time_point& t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double gemmGflops(int64_t n) {
  const at::Tensor a = at::randn({n, n}), b = at::randn({n, n});
  at::Tensor c = at::mm(a, b);
  std::vector<double> rates;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    c = at::mm(a, b);
    rates.push_back(2.0 * n * n * n / seconds(t0) / 1e9);
  }
  return median(rates);
}

struct Row {
  double denseMs, moeMs, ratio, ratioMin, ratioMax, flopBoundMs;
  std::vector<int64_t> load;
};

Row measure(int64_t N, int64_t d, int f, int E, int reps, double gflops) {
  at::manual_seed(1);
  MoeLayer moe(d, std::vector<int>(E, f), std::vector<std::string>{"softmax_topk"}, MoeOptions{});
  MoeLayer dense(d, std::vector<int>{f}, std::vector<std::string>{}, MoeOptions{});
  moe->train();
  dense->train();
  LayerArch moeArch, denseArch;
  moeArch.expertFfnDims.assign(E, f);
  moeArch.topK = 1;
  denseArch.expertFfnDims = {f};
  const at::Tensor x = at::randn({N, d});

  auto step = [&](MoeLayer& layer, const LayerArch& arch) {
    const at::Tensor xi = x.detach().requires_grad_(true);
    const auto t0 = std::chrono::steady_clock::now();
    const MoeOutput out = layer->forward(xi, d, arch, at::Tensor());
    at::Tensor loss = out.y.pow(2).mean();
    if (out.auxLoss.defined()) loss = loss + out.auxLoss;
    loss.backward();
    const double s = seconds(t0);
    layer->zero_grad(/*set_to_none=*/true);  // as a trainer does: next backward writes, not adds
    return s;
  };
  for (int i = 0; i < 2; ++i) {  // warm-up (allocations, first-touch of gradients)
    step(dense, denseArch);
    step(moe, moeArch);
  }
  std::vector<double> td, tm, ratios;
  for (int i = 0; i < reps; ++i) {  // interleaved, so drift in machine speed hits both
    td.push_back(step(dense, denseArch));
    tm.push_back(step(moe, moeArch));
    ratios.push_back(tm.back() / td.back());
  }
  Row r;
  r.denseMs = 1e3 * median(td);
  r.moeMs = 1e3 * median(tm);
  r.ratio = median(ratios);
  r.ratioMin = *std::min_element(ratios.begin(), ratios.end());
  r.ratioMax = *std::max_element(ratios.begin(), ratios.end());
  const double flops = 3.0 * 2.0 * 2.0 * N * d * f;  // fwd (2 GEMMs) + bwd (4 GEMMs), 2 FLOPs/MAC
  r.flopBoundMs = 1e3 * flops / (gflops * 1e9);
  torch::NoGradGuard noGrad;
  const at::Tensor load = moe->forward(x, d, moeArch, at::Tensor()).expertTokens;
  for (int64_t e = 0; e < load.size(0); ++e) r.load.push_back(load[e].item<int64_t>());
  return r;
}

}  // namespace

long argOf(int argc, char** argv, const char* name, long fallback) {
  return automoe::bench::benchIntArg(argc, argv, "bench_moe_vs_dense", name, fallback, 1);
}

int main(int argc, char** argv) {
  automoe::bench::checkBenchArgs(argc, argv, "bench_moe_vs_dense",
                                 "A top-1 MoE layer against a dense FFN of the same active FLOPs, forward+backward.",
                                 {{"--tokens", "N: one batch size instead of 1024 and 4096"},
                                  {"--dim", "D: model width (640)"},
                                  {"--ffn", "F: each expert's and the dense FFN's width (3072)"},
                                  {"--experts", "E: experts (6)"},
                                  {"--reps", "R: repeats (7)"},
                                  {"--threads", "T: intra-op threads (1)"}});
  const int64_t d = argOf(argc, argv, "--dim", 640);
  const int f = static_cast<int>(argOf(argc, argv, "--ffn", 3072));
  const int E = static_cast<int>(argOf(argc, argv, "--experts", 6));
  const int reps = static_cast<int>(argOf(argc, argv, "--reps", 7));
  const int threads = static_cast<int>(argOf(argc, argv, "--threads", 1));
  const long tokens = argOf(argc, argv, "--tokens", 0);
  at::set_num_threads(threads);
  keepLargeAllocationsInHeap();
  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  const double gflops = gemmGflops(1024);
  std::printf("moe_vs_dense: d=%lld, ffn=%d, %d experts top-1 vs dense FFN of width %d, %d thread(s), "
              "OPENBLAS_CORETYPE=%s\n",
              static_cast<long long>(d), f, E, f, threads, coretype ? coretype : "(unset)");
  std::printf("fp32 GEMM rate (1024^3, same run): %.1f GFLOP/s\n", gflops);
  std::printf("%7s %12s %12s %14s %22s  %s\n", "tokens", "dense ms", "MoE ms", "FLOP bound ms",
              "MoE/dense [min, max]", "tokens per expert");
  const std::vector<int64_t> sizes = tokens > 0 ? std::vector<int64_t>{tokens} : std::vector<int64_t>{1024, 4096};
  for (int64_t N : sizes) {
    const Row r = measure(N, d, f, E, reps, gflops);
    std::printf("%7lld %12.2f %12.2f %14.2f %8.3f [%.3f, %.3f]  ", static_cast<long long>(N), r.denseMs,
                r.moeMs, r.flopBoundMs, r.ratio, r.ratioMin, r.ratioMax);
    for (int64_t c : r.load) std::printf("%lld ", static_cast<long long>(c));
    std::printf("\n");
  }
  std::printf("target: MoE/dense <= 1.15 (median of %d paired runs)\n", reps);
  return 0;
}
