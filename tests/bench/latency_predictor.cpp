// Benchmark: accuracy of the latency predictor on this machine. Measures a latency dataset of
// the wmt14.en-de space (vocabulary 32,768, AutoMoE's protocol shape: batch 1, source 30, 30
// decoder steps, beam 5, 1 thread) with the sampler of `automoe latency dataset`, keeps a fixed
// held-out set, trains the predictor (project defaults) on the first 50, 100, 200 and 300 of the
// remaining samples, and prints held-out Kendall tau, MAPE and RMSE beside the mean predictor.
// Then measures the same subnets repeatedly and prints the coefficient of variation of the
// repeated measurements. The dataset file is resumable: re-running continues where it stopped.
//
// The held-out subnets are measured `--test-passes` times in all (passes after the first in
// PATH.pass<k>.jsonl, also resumable), each pass with a fresh model at another time: their mean is
// the truth the predictor is scored against, and tau between two passes is the ceiling that
// measurement noise puts on any predictor's tau.
//
// usage: bench_latency_predictor [--dataset PATH] [--train 300] [--test 100] [--runs 10]
//                                [--warmup 2] [--timer thread_cpu|wall] [--repeats 8]
//                                [--drift-reference 1|0] [--test-passes 3]
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "arch/arch_config.h"
#include "latency/latency_dataset.h"
#include "latency/latency_dataset_runner.h"
#include "latency/latency_features.h"
#include "latency/latency_predictor.h"
#include "latency/latency_profiler.h"
#include "latency/latency_sampler.h"
#include "latency/predictor_metrics.h"
#include "latency/provenance.h"
#include "util/allocator_tuning.h"
#include "util/stop_token.h"

#include "peer_reference.h"

using namespace automoe;
using namespace automoe::bench;

namespace {

// The held-out subnets measured again: one list per extra pass, in the order of `test`.
std::vector<std::vector<LatencySample>> measurePasses(const std::string& path, const nlohmann::json& header,
                                                      const std::vector<LatencySample>& test, int passes,
                                                      LatencyProfiler& profiler) {
  std::vector<std::vector<LatencySample>> out;
  for (int k = 2; k <= passes; ++k) {
    LatencyDataset extra = LatencyDataset::open(path + ".pass" + std::to_string(k) + ".jsonl", header);
    int done = 0;
    for (const LatencySample& s : test) {
      ++done;
      if (extra.contains(s.genes)) continue;
      LatencySample again = s;
      again.measurement = *profiler.measure(s.arch);
      extra.append(again);
      std::fprintf(stderr, "[pass %d: %d/%zu] %.1f ms (first pass %.1f ms)\n", k, done, test.size(),
                   again.measurement.meanMs(), s.measurement.meanMs());
    }
    std::vector<LatencySample> ordered;
    for (const LatencySample& s : test)
      for (const LatencySample& e : extra.samples())
        if (e.genes == s.genes) {
          ordered.push_back(e);
          break;
        }
    out.push_back(ordered);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const char* prog = "bench_latency_predictor";
  checkBenchArgs(argc, argv, prog, "Held-out accuracy of the latency predictor against measured latency.",
                 {{"--dataset", "PATH: the resumable dataset (latency_predictor_bench.jsonl)"},
                  {"--train", "N: training samples, at most (300)"},
                  {"--test", "N: held-out samples (100)"},
                  {"--repeats", "N: subnets measured repeatedly for the noise figure (8)"},
                  {"--warmup", "N: warm-up runs per measurement (2)"},
                  {"--runs", "N: measured runs per measurement (10)"},
                  {"--timer", "thread_cpu|wall (thread_cpu)"},
                  {"--drift-reference", "1|0: correct for machine drift with a reference subnet (1)"},
                  {"--test-passes", "N: measurements of the held-out set (3)"}});
  keepLargeAllocationsInHeap();
  at::set_num_threads(1);
  const std::string path = argOf(argc, argv, "--dataset", "latency_predictor_bench.jsonl");
  const int nTrain = static_cast<int>(benchIntArg(argc, argv, prog, "--train", 300, 1));
  const int nTest = static_cast<int>(benchIntArg(argc, argv, prog, "--test", 100, 1));
  const int repeats = static_cast<int>(benchIntArg(argc, argv, prog, "--repeats", 8, 0));
  HardwareProfile h;
  h.name = "bench";
  h.warmup = static_cast<int>(benchIntArg(argc, argv, prog, "--warmup", 2, 0));
  h.runs = static_cast<int>(benchIntArg(argc, argv, prog, "--runs", 10, 1));
  h.timer = argOf(argc, argv, "--timer", "thread_cpu");
  h.driftReference = argOf(argc, argv, "--drift-reference", "1") == "1";
  if (h.timer != "thread_cpu" && h.timer != "wall") {
    std::fprintf(stderr, "%s: --timer: thread_cpu or wall, got '%s'\n", prog, h.timer.c_str());
    return 2;
  }
  ModelOptions model;
  model.vocabSize = 32768;
  const SearchSpace space = wmtSpace();
  const uint64_t seed = 1;

  LatencyProfiler profiler(h, space, model);
  const int passes = std::max(1, static_cast<int>(benchIntArg(argc, argv, prog, "--test-passes", 3, 1)));
  const nlohmann::json header = LatencyDataset::makeHeader(h.toJson(), space.toJson(),
                                                           {{"vocab_size", model.vocabSize}}, seed,
                                                           latencyFeatureNames(space));
  LatencyDataset dataset = LatencyDataset::open(path, header);
  LatencyDatasetRunner runner(space, seed, latencyDecoderRows(h),
                              [&](const ArchConfig& a) { return profiler.measure(a); });
  runner.setProgress([](const LatencySample& s, int stored, int planned) {
    std::fprintf(stderr, "[%d/%d] %.1f ms (cv %.1f%%)  %s\n", stored, planned, s.measurement.meanMs(),
                 100 * s.measurement.total.cv, s.arch.summary().c_str());
  });
  StopToken never;
  runner.run(dataset, nTrain + nTest, never);
  const std::vector<LatencySample>& all = dataset.samples();

  // Fixed held-out set; training sets are prefixes of one shuffled pool.
  std::vector<LatencySample> pool, test;
  LatencyPredictor::split(all, double(nTest) / all.size(), seed, pool, test);
  std::vector<std::vector<LatencySample>> testPasses = {test};
  for (auto& pass : measurePasses(path, header, test, passes, profiler)) testPasses.push_back(pass);
  // The truth: per held-out subnet, the mean over passes.
  std::vector<double> truth(test.size(), 0.0);
  for (const auto& pass : testPasses)
    for (size_t i = 0; i < test.size(); ++i) truth[i] += pass[i].measurement.meanMs() / testPasses.size();

  std::printf("bench_latency_predictor: wmt14.en-de space, vocab %lld, profile: batch %d, source %d, "
              "%d steps, beam %d (%s), 1 thread, %d warm-up + %d runs, timer %s, drift reference %s, "
              "BLAS %s\n",
              static_cast<long long>(model.vocabSize), h.batchSize, h.srcLen, h.tgtLen, h.beam,
              h.protocol.c_str(), h.warmup, h.runs, h.timer.c_str(), h.driftReference ? "on" : "off",
              blasCoreName().c_str());
  double lo = 1e18, hi = 0;
  for (const auto& s : all) {
    lo = std::min(lo, s.measurement.meanMs());
    hi = std::max(hi, s.measurement.meanMs());
  }
  std::printf("dataset %s: %zu subnets, latency %.0f..%.0f ms; held-out set: %zu subnets, measured %zu times "
              "each (truth: their mean)\n", path.c_str(), all.size(), lo, hi, test.size(), testPasses.size());
  if (testPasses.size() > 1) {
    std::vector<double> a, b;
    for (size_t i = 0; i < test.size(); ++i) {
      a.push_back(testPasses[0][i].measurement.meanMs());
      b.push_back(testPasses[1][i].measurement.meanMs());
    }
    const PredictorMetrics agree = evaluatePredictions(a, b);
    std::printf("noise ceiling: pass 2 as a 'prediction' of pass 1: tau %.3f, MAPE %.2f%%\n", agree.kendallTau,
                100 * agree.mape);
  }
  // The machine's state per set of rows: a truth pass measured outside the training rows' range
  // makes the predictor extrapolate its state inputs.
  auto stateRange = [](const std::vector<LatencySample>& rows) {
    std::vector<double> refs;
    for (const auto& r : rows)
      if (r.measurement.hasReference()) refs.push_back(r.measurement.reference.mean);
    if (refs.empty()) return std::string("-");
    std::sort(refs.begin(), refs.end());
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f [%.0f..%.0f]", refs[refs.size() / 2], refs.front(), refs.back());
    return std::string(buf);
  };
  std::printf("machine state (reference ms, median [min..max]): training pool %s", stateRange(pool).c_str());
  for (size_t k = 0; k < testPasses.size(); ++k)
    std::printf("; held-out pass %zu %s", k + 1, stateRange(testPasses[k]).c_str());
  std::printf("\n");
  std::printf("%8s %7s %8s %9s | %12s %14s | %11s %13s | %7s %7s\n", "train n", "tau", "MAPE %",
              "RMSE ms", "tau (median)", "MAPE % (med.)", "mean MAPE %", "mean RMSE ms", "ridge", "train s");
  for (int n : {50, 100, 200, 300}) {
    if (n > static_cast<int>(pool.size())) break;
    const std::vector<LatencySample> train(pool.begin(), pool.begin() + n);
    LatencyPredictor p(space, LatencyPredictorOptions{}, latencyDecoderRows(h));
    const PredictorReport r = p.fit(train, {});
    // Per held-out subnet: the mean of the predictions for each pass's machine state, and the
    // prediction for the median state.
    std::vector<double> withState(test.size(), 0.0), typical, meanOnly;
    double trainMean = 0;
    for (const auto& t : train) trainMean += t.measurement.meanMs() / train.size();
    for (size_t i = 0; i < test.size(); ++i) {
      for (const auto& pass : testPasses) withState[i] += p.predictMs(pass[i]) / testPasses.size();
      typical.push_back(p.predictMs(test[i].arch));
      meanOnly.push_back(trainMean);
    }
    const PredictorMetrics m = evaluatePredictions(truth, withState), mt = evaluatePredictions(truth, typical),
                           mb = evaluatePredictions(truth, meanOnly);
    std::printf("%8d %7.3f %8.2f %9.1f | %12.3f %14.2f | %11.2f %13.1f | %7g %7.1f\n", n, m.kendallTau,
                100 * m.mape, m.rmseMs, mt.kendallTau, 100 * mt.mape, 100 * mb.mape, mb.rmseMs, p.ridgeUsed(),
                r.seconds);
    if (n == 300 || n == static_cast<int>(std::min<size_t>(300, pool.size()))) {
      // Each pass alone against its own state's predictions: a pass the model predicts worse than the
      // others shows where the state model breaks down.
      std::printf("%8s", "by pass:");
      for (size_t k = 0; k < testPasses.size(); ++k) {
        std::vector<double> one, pred;
        for (size_t i = 0; i < test.size(); ++i) {
          one.push_back(testPasses[k][i].measurement.meanMs());
          pred.push_back(p.predictMs(testPasses[k][i]));
        }
        const PredictorMetrics mk = evaluatePredictions(one, pred);
        double bias = 0;
        for (size_t i = 0; i < one.size(); ++i) bias += (pred[i] / one[i] - 1) / one.size();
        std::printf("  %zu: tau %.3f MAPE %.2f%% bias %+.1f%%", k + 1, mk.kendallTau, 100 * mk.mape, 100 * bias);
      }
      std::printf("\n");
    }
  }
  std::printf("held-out rows are predicted for the machine state they were measured in (drift reference"
              " input); \"median\" columns: for the median state, as `automoe latency predict` answers.\n");
  std::printf("target: tau >= 0.95 and MAPE <= 5%% with at most 300 training samples\n");

  // Repeatability: the same subnets measured again and again (fresh model each time).
  if (repeats > 1) {
    auto cov = [](const std::vector<double>& v) {
      double mu = 0, sq = 0;
      for (double x : v) mu += x / v.size();
      for (double x : v) sq += (x - mu) * (x - mu);
      return std::sqrt(sq / (v.size() - 1)) / mu;
    };
    std::printf("\nrepeated measurements (%d x each, %d runs per measurement):\n", repeats, h.runs);
    std::printf("%-50s %9s %13s %17s %16s\n", "subnet", "mean ms", "CoV repeats", "CoV drift-corr.",
                "CoV within runs");
    const auto plan = LatencySampler(space, seed).plan(3);
    for (const auto& a : plan) {
      std::vector<double> means, corrected;
      double within = 0;
      for (int r = 0; r < repeats; ++r) {
        const auto m = profiler.measure(a);
        means.push_back(m->meanMs());
        if (m->hasReference()) corrected.push_back(m->meanMs() / m->reference.mean);
        within += m->total.cv / repeats;
      }
      double mu = 0;
      for (double x : means) mu += x / means.size();
      char corr[32] = "-";
      if (corrected.size() > 1) std::snprintf(corr, sizeof corr, "%.2f%%", 100 * cov(corrected));
      std::printf("%-50s %9.1f %12.2f%% %17s %15.2f%%\n", a.summary().c_str(), mu, 100 * cov(means), corr,
                  100 * within);
    }
  }
  return 0;
}
