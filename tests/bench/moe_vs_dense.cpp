// Benchmark: forward+backward time of a top-1 MoE layer over E experts against a dense FFN with
// the same active FLOPs (the dense width equals every expert's width), on the same tokens, in one
// run. Also measures the machine's fp32 GEMM rate so the times can be read against it.
// Target (issue 2): MoE / dense <= 1.15.
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

long argOf(int argc, char** argv, const char* name, long fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return std::atol(argv[i + 1]);
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t N = argOf(argc, argv, "--tokens", 1024);
  const int64_t d = argOf(argc, argv, "--dim", 640);
  const int f = static_cast<int>(argOf(argc, argv, "--ffn", 3072));
  const int E = static_cast<int>(argOf(argc, argv, "--experts", 6));
  const int reps = static_cast<int>(argOf(argc, argv, "--reps", 7));
  const int threads = static_cast<int>(argOf(argc, argv, "--threads", 1));
  at::set_num_threads(threads);
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
    if (out.balanceLoss.defined()) loss = loss + 0.01 * out.balanceLoss;
    loss.backward();
    const double s = seconds(t0);
    layer->zero_grad();
    return s;
  };

  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  const double gflops = gemmGflops(1024);
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
  const at::Tensor load = moe->forward(x, d, moeArch, at::Tensor()).expertTokens;
  const double flops = 3.0 * 2.0 * 2.0 * N * d * f;  // fwd (2 GEMMs) + bwd (4 GEMMs), 2 FLOPs/MAC
  std::printf("moe_vs_dense: %lld tokens, d=%lld, ffn=%d, %d experts top-1, %d thread(s), "
              "OPENBLAS_CORETYPE=%s\n",
              static_cast<long long>(N), static_cast<long long>(d), f, E, threads,
              coretype ? coretype : "(unset)");
  std::printf("  fp32 GEMM rate (1024^3)      %8.1f GFLOP/s\n", gflops);
  std::printf("  dense FFN fwd+bwd (median)   %8.2f ms   (%.1f GFLOP/s; FLOP bound %.2f ms)\n",
              1e3 * median(td), flops / median(td) / 1e9, 1e3 * flops / gflops / 1e9);
  std::printf("  MoE top-1 fwd+bwd (median)   %8.2f ms\n", 1e3 * median(tm));
  std::printf("  tokens per expert            ");
  for (int64_t e = 0; e < load.size(0); ++e) std::printf("%lld ", static_cast<long long>(load[e].item<int64_t>()));
  std::printf("\n  ratio MoE/dense (median of %d paired runs) %.3f   [min %.3f, max %.3f]   target <= 1.15\n",
              reps, median(ratios), *std::min_element(ratios.begin(), ratios.end()),
              *std::max_element(ratios.begin(), ratios.end()));
  return 0;
}
