// Benchmark of the evolutionary search.
//
// (a) Fitness (InheritedFitness: validation loss with inherited supernet weights) per candidate for
//     the three wmt14.en-de subnets of peer_baseline.md (largest / middle / smallest), 1 thread,
//     vocabulary 16,008, a random-initialised supernet, on 4 synthetic validation batches of 30
//     sentence pairs with 30-33 tokens (+ EOS), sorted by length: <= 1,020 tokens per batch, 120
//     sentences, like the peer's first 4 valid batches of <= 1,024 tokens (~120 sentences). fp32 and bf16 autocast. OPENBLAS_CORETYPE
//     is read when OpenBLAS loads, so the benchmark re-runs itself as a child per setting (unset,
//     tuned = the fastest kernel this CPU can run, Prescott); the peer's default BLAS ran Prescott
//     kernels, so the like-for-like pairs are ours/SkylakeX vs peer/SkylakeX and ours/Prescott vs
//     peer/default (none for other kernels).
// (b) The search without model passes: 30 generations x 125 with a cheap cached fitness and a
//     predicted-latency constraint (a predictor trained on synthetic rows of the same space):
//     total time, and the share of a full search that is spent outside model forward passes
//     (this overhead / (overhead + evaluations x the middle subnet's fitness time from (a))).
//
// usage: bench_search [--reps N] [--settings unset,tuned,Prescott] [--subnets ...] [--skip-a]
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "arch/arch_config.h"
#include "latency/latency_features.h"
#include "latency/latency_predictor.h"
#include "latency/latency_sample.h"
#include "latency/latency_sampler.h"
#include "latency/provenance.h"
#include "search/evolutionary_search.h"
#include "search/flops_metric.h"
#include "search/inherited_fitness.h"
#include "search/predicted_latency_metric.h"
#include "train/training_data.h"
#include "util/allocator_tuning.h"
#include "util/rng.h"

#include "peer_reference.h"

using namespace automoe;
using namespace automoe::bench;

namespace {

constexpr int64_t kPeerVocab = 16008;

struct Peer {
  const char* subnet;
  double def[2], skx[2];  // validate_all s per candidate, two repeats (peer_baseline.md items 3/4)
};
const Peer kPeer[] = {{"largest", {24.40, 22.78}, {8.05, 7.25}},
                      {"middle", {13.82, 15.74}, {4.31, 4.31}},
                      {"smallest", {7.52, 7.62}, {2.62, 2.60}}};
bool hasFlag(int argc, char** argv, const char* name) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return true;
  return false;
}
double threadCpuS() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double nowS() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string loadAvg() {
  double l = -1;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &l) != 1) l = -1;
    std::fclose(f);
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", l);
  return buf;
}
// 4 validation batches of 30 random sentence pairs of 30-33 tokens (+ EOS <= 34: <= 1,020 tokens
// per batch), sorted by length before batching as fairseq's validation iterator does.
class BenchValidData final : public TrainingData {
 public:
  BenchValidData() {
    Rng rng(2024);
    std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> pairs(120);
    for (auto& [src, tgt] : pairs) {
      src.resize(30 + rng.uniformIndex(4));
      tgt.resize(30 + rng.uniformIndex(4));
      for (auto* v : {&src, &tgt})
        for (auto& t : *v) t = 4 + static_cast<int64_t>(rng.uniformIndex(kPeerVocab - 4));
    }
    std::stable_sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) {
      return std::make_pair(a.first.size(), a.second.size()) < std::make_pair(b.first.size(), b.second.size());
    });
    for (size_t b = 0; b < 4; ++b) {
      std::vector<std::vector<int64_t>> src, tgt;
      for (size_t s = 30 * b; s < 30 * (b + 1); ++s) {
        src.push_back(pairs[s].first);
        tgt.push_back(pairs[s].second);
      }
      m_batches.push_back(collatePairs(src, tgt));
    }
  }
  size_t numTrainBatches(uint64_t) const override { return 0; }
  TrainBatch trainBatch(uint64_t, size_t) const override { return {}; }
  size_t numValidBatches() const override { return m_batches.size(); }
  TrainBatch validBatch(size_t i) const override { return m_batches.at(i); }
  int64_t vocabSize() const override { return kPeerVocab; }
  int64_t tokens() const {
    int64_t n = 0;
    for (const auto& b : m_batches) n += b.targetTokens + b.sourceTokens;
    return n;
  }

 private:
  std::vector<TrainBatch> m_batches;
};

int childA(int argc, char** argv) {
  at::set_num_threads(1);
  keepLargeAllocationsInHeap();
  const std::string setting = argOf(argc, argv, "--child", "unset");
  const int reps = std::max(1, std::atoi(argOf(argc, argv, "--reps", "3").c_str()));
  ModelOptions model;
  model.vocabSize = kPeerVocab;
  const SearchSpace space = wmtSpace();
  at::manual_seed(1);
  SuperTransformer net(SuperTransformerOptions(ModelShape::forSupernet(space, model), model));
  const BenchValidData data;
  for (const char* precision : {"fp32", "bf16"}) {
    InheritedFitnessOptions o;
    o.validBatches = 4;
    o.bf16 = precision == std::string("bf16");
    const InheritedFitness fitness(net, data, o);
    for (const std::string& name : splitList(argOf(argc, argv, "--subnets", "largest,middle,smallest"))) {
      const ArchConfig arch = peerSubnet(name);
      const std::string load0 = loadAvg();
      const FitnessValue v = fitness.evaluate(arch);  // warm-up (first-touch of the weights)
      std::vector<double> t, cpu;
      for (int r = 0; r < reps; ++r) {
        const double t0 = nowS(), c0 = threadCpuS();
        fitness.evaluate(arch);
        t.push_back(nowS() - t0);
        cpu.push_back(threadCpuS() - c0);
      }
      std::sort(t.begin(), t.end());
      std::sort(cpu.begin(), cpu.end());
      const nlohmann::json j = {{"setting", setting}, {"core", blasCoreName()}, {"precision", precision},
                                {"subnet", name},     {"s", t[t.size() / 2]},  {"min_s", t.front()}, {"cpu_s", cpu[cpu.size() / 2]},
                                {"loss", v.loss},     {"tokens", v.tokens},    {"load", load0 + "-" + loadAvg()}};
      std::printf("RESULT %s\n", j.dump().c_str());
      std::fflush(stdout);
      std::fprintf(stderr, "  %s %s %s: %.3f s (cpu %.3f s)\n", setting.c_str(), precision, name.c_str(),
                   t[t.size() / 2], cpu[cpu.size() / 2]);
    }
  }
  return 0;
}

// (b): predictor-only search. Returns {seconds, evaluations}.
void partB(double middleFitnessS) {
  at::set_num_threads(1);
  const SearchSpace space = wmtSpace();
  // A predictor trained on 200 synthetic rows (latency ~ FLOPs): what matters here is its cost.
  const LatencySampler sampler(space, 7);
  FlopsMetric flops(512, kPeerVocab, 30, 30);
  std::vector<LatencySample> rows;
  for (const auto& a : sampler.plan(200)) {
    LatencySample s;
    s.arch = a;
    s.genes = sampler.codec().encode(a);
    s.features = latencyFeatures(a, space, 5);
    const double ms = 50 + flops.value(a) / 2e7;
    s.measurement = LatencyMeasurement::fromRuns({0.3 * ms}, {ms});
    rows.push_back(s);
  }
  LatencyPredictorOptions po;
  po.steps = 300;
  auto predictor = std::make_shared<LatencyPredictor>(space, po, 5);
  predictor->fit(rows);
  auto latency = std::make_shared<PredictedLatencyMetric>(predictor);
  std::vector<double> ms;
  for (const auto& r : rows) ms.push_back(predictor->predictMs(r.arch));
  std::sort(ms.begin(), ms.end());
  const double limit = ms[ms.size() / 2];

  SearchOptions o;  // AutoMoE's sizes: 30 x 125 = 25 + 50 + 50
  o.seed = 1;
  // Cheap fitness standing in for cached losses: larger subnets are better.
  auto fitness = [&flops](const ArchConfig& a) { return 20.0 - std::log(flops.value(a)); };
  EvolutionarySearch search(space, o, fitness, {{latency, limit}});
  SearchObserver quiet;
  StopToken stop;
  const double t0 = nowS(), c0 = threadCpuS();
  const SearchResult r = search.run(stop, quiet);
  const double total = nowS() - t0, cpu = threadCpuS() - c0;
  const double outside = total - r.fitnessSeconds;
  std::printf("\n(b) predictor-only search: %d generations x %d, predicted latency <= %.1f ms (median), 1 thread\n",
              o.generations, o.population, limit);
  std::printf("    total %.3f s (target < 1 s): %d distinct subnets evaluated, %lld constraint checks, predictor "
              "%.3f s, operators/selection/bookkeeping %.3f s, stand-in fitness %.3f s\n",
              total, r.evaluations, r.constraintChecks, r.metricSeconds, total - r.metricSeconds - r.fitnessSeconds,
              r.fitnessSeconds);
  std::printf("    CPU time of the search thread %.3f s (wall is inflated when other jobs share the cores; load %s)\n", cpu,
              loadAvg().c_str());
  if (middleFitnessS > 0) {
    const double forward = r.evaluations * middleFitnessS;
    std::printf("    a full search with %d evaluations x %.2f s (middle subnet's fitness, best setting of (a)) = %.0f s of "
                "forward passes; outside them %.3f s = %.4f%% of the search\n",
                r.evaluations, middleFitnessS, forward, outside, 100 * outside / (outside + forward));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argOf(argc, argv, "--child", "").size()) return childA(argc, argv);
  checkBenchArgs(argc, argv, "bench_search", "Fitness per candidate per BLAS setting (a), and the search itself (b).",
                 {{"--settings", "LIST: BLAS settings, of unset, tuned, or a kernel name (unset,tuned,Prescott)"},
                  {"--subnets", "LIST: largest,middle,smallest"},
                  {"--reps", "N: repeats per subnet (3)"},
                  {"--skip-a", "skip part (a)", false}});
  benchIntArg(argc, argv, "bench_search", "--reps", 3, 1);
  std::vector<nlohmann::json> rows;
  if (!hasFlag(argc, argv, "--skip-a")) {
    std::string pass;
    for (const char* f : {"--reps", "--subnets"}) {
      const std::string v = argOf(argc, argv, f, "");
      if (!v.empty()) pass += std::string(" ") + f + " " + v;
    }
    for (auto& row : runPerBlasSetting(argOf(argc, argv, "--settings", "unset,tuned,Prescott"), pass))
      rows.push_back(std::move(row));
    std::printf("(a) fitness per candidate: InheritedFitness on 4 batches x 30 pairs of 31-34 tokens (<= 1,020 each), "
                "wmt14.en-de subnets, vocab %lld, 1 thread, median of the repeats after a warm-up\n",
                static_cast<long long>(kPeerVocab));
    std::printf("%-9s %-10s %-5s %-9s %9s %9s %9s %13s %7s %9s %s\n", "setting", "kernel", "prec", "subnet", "ours s",
                "cpu s", "loss", "peer s", "ratio", "cpu ratio", "load");
    for (const auto& r : rows) {
      const std::string subnet = r["subnet"], core = r["core"];
      std::string peer = "-";
      char ratio[16] = "-", cpuRatio[16] = "-";
      for (const Peer& p : kPeer)
        if (subnet == p.subnet && (core == "SkylakeX" || core == "Prescott")) {
          const double* v = core == "SkylakeX" ? p.skx : p.def;
          char b[64];
          std::snprintf(b, sizeof b, "%.2f-%.2f", std::min(v[0], v[1]), std::max(v[0], v[1]));
          peer = b;
          std::snprintf(ratio, sizeof ratio, "%.3f", r["s"].get<double>() / std::min(v[0], v[1]));
          std::snprintf(cpuRatio, sizeof cpuRatio, "%.3f", r["cpu_s"].get<double>() / std::min(v[0], v[1]));
        }
      std::printf("%-9s %-10s %-5s %-9s %9.3f %9.3f %9.4f %13s %7s %9s %s\n", r["setting"].get<std::string>().c_str(),
                  core.c_str(), r["precision"].get<std::string>().c_str(), subnet.c_str(), r["s"].get<double>(),
                  r["cpu_s"].get<double>(), r["loss"].get<double>(), peer.c_str(), ratio, cpuRatio,
                  r["load"].get<std::string>().c_str());
    }
    std::printf("peer: AutoMoE's validate_all on its first 4 valid batches of <= 1,024 tokens (peer_baseline.md items "
                "3/4), 1 thread; ratio = ours / the peer's better repeat (target <= 0.5); cpu s = CPU time of the "
                "evaluating thread (what wall time would be on an idle core). The peer's loss is "
                "label-smoothed in bits on a trained checkpoint; ours is the NLL in nats of a random supernet.\n");
  }
  double middle = 0;
  for (const auto& r : rows)
    if (r["subnet"] == "middle" && (middle == 0 || r["s"].get<double>() < middle)) middle = r["s"].get<double>();
  partB(middle);
  return 0;
}
