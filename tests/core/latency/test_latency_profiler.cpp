// LatencyProfiler and its statistics: trimming on known inputs, aggregation of injected timings
// (warm-up excluded, encoder/decoder split), threads set during and restored after a measurement,
// stopping, seeded models that leave the global RNG alone. No assertion on real durations.
#include <QtTest/QtTest>

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include <numeric>

#include "arch/arch_config.h"
#include "latency/latency_profiler.h"
#include "latency/trimmed_stats.h"
#include "support/tiny_space.h"
#include "util/config_error.h"
#include "util/stop_token.h"

using namespace automoe;

namespace {

HardwareProfile smallProfile(int warmup, int runs, int threads = 1) {
  HardwareProfile h;
  h.name = "test";
  h.threads = threads;
  h.srcLen = 6;
  h.tgtLen = 4;
  h.beam = 3;
  h.warmup = warmup;
  h.runs = runs;
  return h;
}

double sampleStd(const std::vector<double>& v) {
  const double m = std::accumulate(v.begin(), v.end(), 0.0) / v.size();
  double sq = 0;
  for (double x : v) sq += (x - m) * (x - m);
  return std::sqrt(sq / (v.size() - 1));
}

}  // namespace

class TestLatencyProfiler final : public QObject {
  Q_OBJECT

  SearchSpace m_space = test::tinySpace();

 private Q_SLOTS:
  void trimsTenPercentAtEachEnd() {
    std::vector<double> v(20);
    std::iota(v.begin(), v.end(), 1.0);
    std::reverse(v.begin(), v.end());
    v[0] = 1e6;  // an outlier is among the dropped values
    const TrimmedStats s = trimmedStats(v, 0.1);
    QCOMPARE(s.kept, 16);
    QCOMPARE(s.dropped, 4);
    std::vector<double> kept;
    for (int i = 3; i <= 18; ++i) kept.push_back(i);
    QCOMPARE(s.mean, 10.5);
    QVERIFY(std::abs(s.std - sampleStd(kept)) < 1e-12);
    QVERIFY(std::abs(s.cv - s.std / 10.5) < 1e-12);
    // round(0.1 n), at least one per end from 5 values: none of 4, one per end of 5 to 14.
    QCOMPARE(trimmedStats({5, 1, 9}, 0.1).kept, 3);
    QCOMPARE(trimmedStats({5, 1, 9}, 0.1).mean, 5.0);
    QCOMPARE(trimmedStats({5, 1, 9, 2}, 0.1).kept, 4);
    const TrimmedStats eight = trimmedStats({40, 10, 11, 12, 13, 14, 15, 1}, 0.1);
    QCOMPARE(eight.kept, 6);
    QCOMPARE(eight.mean, 12.5);  // 1 and 40 dropped
    QCOMPARE(trimmedStats({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 0.1).kept, 11);
    const TrimmedStats ten = trimmedStats({10, 1, 2, 3, 4, 5, 6, 7, 8, 100}, 0.1);
    QCOMPARE(ten.kept, 8);
    QCOMPARE(ten.mean, 45.0 / 8);  // 1 and 100 dropped
    QCOMPARE(trimmedStats({7}, 0.1).std, 0.0);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, trimmedStats({}, 0.1));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, trimmedStats({1, 2}, 0.5));
  }

  void aggregatesInjectedTimings() {
    const int warmup = 3, runs = 10;
    // Run r's encoder takes enc[r] ms and its decoder dec[r] ms; warm-ups take 1000 ms each.
    std::vector<double> enc, dec;
    for (int r = 0; r < runs; ++r) {
      enc.push_back(2.0 + r);
      dec.push_back(r == 4 ? 500.0 : 40.0 + 2 * r);  // one outlier, trimmed
    }
    std::vector<double> times = {0};
    for (int r = 0; r < warmup + runs; ++r) {
      const bool w = r < warmup;
      times.push_back(times.back() + (w ? 1000 : enc[r - warmup]));
      times.push_back(times.back() + (w ? 1000 : dec[r - warmup]));
      times.push_back(times.back() + 0.25);  // set-up between runs is not counted
    }
    size_t call = 0;
    std::vector<int> threadsSeen;
    at::set_num_threads(2);
    LatencyProfiler profiler(smallProfile(warmup, runs, 1), m_space, test::tinyModelOptions());
    profiler.setClock([&] {
      threadsSeen.push_back(at::get_num_threads());
      // Calls come in threes per run: start, after the encoder, after the decoder; the next
      // run starts 0.25 ms after the previous decoder finished.
      return times.at(call++);
    });
    const auto m = profiler.measure(m_space.sample(uint64_t{1}));
    QVERIFY(m.has_value());
    QCOMPARE(at::get_num_threads(), 2);  // restored
    QCOMPARE(threadsSeen.size(), size_t(3 * (warmup + runs)));
    for (int t : threadsSeen) QCOMPARE(t, 1);  // the profile's count while measuring
    QCOMPARE(m->encoderMs, enc);
    QCOMPARE(m->decoderMs, dec);
    std::vector<double> total;
    for (int r = 0; r < runs; ++r) total.push_back(enc[r] + dec[r]);
    const TrimmedStats expect = trimmedStats(total, 0.1);
    QCOMPARE(m->total.mean, expect.mean);
    QCOMPARE(m->total.std, expect.std);
    QCOMPARE(m->total.kept, 8);
    QVERIFY(m->total.mean < 100);  // the 500 ms outlier was dropped
    QCOMPARE(m->encoder.mean, trimmedStats(enc, 0.1).mean);
    QCOMPARE(m->decoder.mean, trimmedStats(dec, 0.1).mean);
    QVERIFY(std::abs(m->encoderShare() - m->encoder.mean / (m->encoder.mean + m->decoder.mean)) < 1e-12);
    QVERIFY(std::abs(m->encoderShare() + m->decoderShare() - 1.0) < 1e-12);
    // JSON round trip recomputes the same summaries from the raw runs.
    const LatencyMeasurement back = LatencyMeasurement::fromJson(m->toJson(), "test");
    QCOMPARE(back.total.mean, m->total.mean);
    QCOMPARE(back.decoderMs, m->decoderMs);
    at::set_num_threads(1);
  }

  void restoresThreadsWhenTheMeasurementThrows() {
    at::set_num_threads(2);
    LatencyProfiler profiler(smallProfile(0, 2, 1), m_space, test::tinyModelOptions());
    profiler.setClock([]() -> double { throw std::runtime_error("clock failure"); });
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, profiler.measure(m_space.smallest()));
    QCOMPARE(at::get_num_threads(), 2);
    at::set_num_threads(1);
  }

  void stopsBetweenRuns() {
    LatencyProfiler profiler(smallProfile(1, 50), m_space, test::tinyModelOptions());
    StopToken stop;
    int calls = 0;
    profiler.setStopToken(&stop);
    profiler.setClock([&] {
      if (++calls == 7) stop.requestStop();  // during the third run
      return double(calls);
    });
    QVERIFY(!profiler.measure(m_space.smallest()).has_value());
    QCOMPARE(calls, 9);  // the third run finished, the fourth never started
  }

  void measuresRealRunsOfTheStandaloneModel() {
    LatencyProfiler profiler(smallProfile(1, 5), m_space, test::tinyModelOptions());
    const ArchConfig arch = m_space.largest();
    const auto m = profiler.measure(arch);
    QVERIFY(m.has_value());
    QCOMPARE(m->encoderMs.size(), size_t{5});
    QVERIFY(m->total.mean > 0);
    QVERIFY(m->encoderShare() > 0 && m->encoderShare() < 1);
    ArchConfig tooDeep = arch;
    tooDeep.decoder.layers.push_back(tooDeep.decoder.layers[0]);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, profiler.measure(tooDeep));
  }

  // A cuda profile runs the same protocol on the GPU (wall clock, synchronised at each reading).
  void measuresOnCudaWhereAvailable() {
    HardwareProfile h = smallProfile(1, 4);
    h.device = "cuda";
    if (!torch::cuda::is_available()) {
      QVERIFY_THROWS_EXCEPTION(ConfigError, LatencyProfiler(h, m_space, test::tinyModelOptions()));
      return;
    }
    LatencyProfiler profiler(h, m_space, test::tinyModelOptions());
    const auto m = profiler.measure(m_space.largest());
    QVERIFY(m.has_value());
    QCOMPARE(m->encoderMs.size(), size_t{4});
    QVERIFY(m->total.mean > 0);
    QVERIFY(m->encoderShare() > 0 && m->encoderShare() < 1);
  }

  void buildsSeededStandaloneModelsWithoutTouchingTheGlobalRng() {
    LatencyProfiler profiler(smallProfile(0, 1), m_space, test::tinyModelOptions());
    profiler.setModelSeed(42);
    const ArchConfig arch = m_space.sample(uint64_t{6});
    at::manual_seed(5);
    const at::Tensor expected = at::randn({4});
    at::manual_seed(5);
    SuperTransformer a = profiler.buildModel(arch);
    const at::Tensor after = at::randn({4});
    QVERIFY(at::equal(after, expected));
    SuperTransformer b = profiler.buildModel(arch);
    QVERIFY(!a->is_training());
    QCOMPARE(a->shape(), ModelShape::forSubnet(arch, ModelShape::forSupernet(m_space, test::tinyModelOptions())));
    const auto pa = a->named_parameters(), pb = b->named_parameters();
    QCOMPARE(pa.size(), pb.size());
    for (const auto& kv : pa) QVERIFY2(at::equal(kv.value(), pb[kv.key()]), kv.key().c_str());
    profiler.setModelSeed(43);
    SuperTransformer c = profiler.buildModel(arch);
    QVERIFY(!at::equal(c->named_parameters()["embed_tokens.weight"], pa["embed_tokens.weight"]));
  }

  void redrawsOnlyRoutersDeterministically() {
    LatencyProfiler profiler(smallProfile(0, 1), m_space, test::tinyModelOptions());
    const ArchConfig arch = m_space.largest();  // every layer has several experts and a router
    SuperTransformer a = profiler.buildModel(arch), b = profiler.buildModel(arch);
    LatencyProfiler::redrawRouters(*a, 7);
    LatencyProfiler::redrawRouters(*b, 7);
    const auto before = profiler.buildModel(arch)->named_parameters();
    int routers = 0;
    for (const auto& kv : a->named_parameters()) {
      QVERIFY(at::equal(kv.value(), b->named_parameters()[kv.key()]));  // same seed, same draw
      const bool router = kv.key().find(".routers.") != std::string::npos;
      QCOMPARE(!at::equal(kv.value(), before[kv.key()]), router);  // nothing else changed
      if (router) {
        ++routers;
        const double bound = 1.0 / std::sqrt(double(arch.encoder.embedDim));
        if (kv.key().rfind("encoder.", 0) == 0) QVERIFY(kv.value().abs().max().item<double>() <= bound);
      }
    }
    QVERIFY(routers >= 2 * (arch.encoder.numLayers() + arch.decoder.numLayers()));
    LatencyProfiler::redrawRouters(*b, 8);
    QVERIFY(!at::equal(a->named_parameters()["decoder.layers.0.moe.routers.softmax_topk.weight"],
                       b->named_parameters()["decoder.layers.0.moe.routers.softmax_topk.weight"]));
  }

  void measuringAGivenModelLeavesItsWeightsAlone() {
    LatencyProfiler profiler(smallProfile(0, 2), m_space, test::tinyModelOptions());
    const ArchConfig arch = m_space.largest();
    SuperTransformer model = profiler.buildModel(arch);
    const auto before = profiler.buildModel(arch)->named_parameters();
    QVERIFY(profiler.measure(*model, arch).has_value());
    for (const auto& kv : model->named_parameters()) QVERIFY(at::equal(kv.value(), before[kv.key()]));
  }

  void interleavesTheDriftReference() {
    HardwareProfile h = smallProfile(1, 4);
    h.driftReference = true;
    LatencyProfiler profiler(h, m_space, test::tinyModelOptions());
    int calls = 0;
    profiler.setClock([&] { return double(++calls); });
    const auto m = profiler.measure(m_space.largest());
    QVERIFY(m.has_value());
    QCOMPARE(calls, 3 * 2 * (1 + 4));  // three clock reads per run, two subjects, 5 runs
    QVERIFY(m->hasReference());
    QCOMPARE(m->referenceMs.size(), size_t{4});
    QCOMPARE(m->reference.mean, 2.0);  // every fake run lasts 2 clock ticks
    const LatencyMeasurement back = LatencyMeasurement::fromJson(m->toJson(), "t");
    QCOMPARE(back.referenceMs, m->referenceMs);
    h.driftReference = false;
    LatencyProfiler plain(h, m_space, test::tinyModelOptions());
    QVERIFY(!plain.measure(m_space.smallest())->hasReference());
  }

  void rejectsProfilesTheModelCannotRun() {
    HardwareProfile h = smallProfile(0, 1);
    h.srcLen = 1000;  // tiny model: 64 positions
    QVERIFY_THROWS_EXCEPTION(ConfigError, LatencyProfiler(h, m_space, test::tinyModelOptions()));
  }
};

QTEST_APPLESS_MAIN(TestLatencyProfiler)
#include "test_latency_profiler.moc"
