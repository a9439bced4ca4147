// Latency dataset files and resumable runs: a resumed run measures nothing already stored, a
// stop keeps every finished sample, a truncated last line is dropped and repaired, a full disk
// keeps every sample before it, a file made under other settings is refused, and stored features
// are exactly latencyFeatures().
#include <QtTest/QtTest>

#include <QTemporaryDir>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "arch/arch_config.h"
#include "latency/latency_dataset.h"
#include "latency/latency_dataset_runner.h"
#include "latency/latency_features.h"
#include "latency/latency_sampler.h"
#include "model/bf16_products.h"
#include "support/file_size_limit.h"
#include "support/tiny_space.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/file_write_error.h"
#include "util/stop_token.h"

using namespace automoe;

namespace {

// A deterministic stand-in for the profiler: latency from the architecture, counted per subnet.
struct CountingMeasure {
  std::vector<ArchConfig> measured;
  std::optional<LatencyMeasurement> operator()(const ArchConfig& a) {
    measured.push_back(a);
    const double ms = 1.0 + a.decoder.numLayers() * 3.0 + a.encoder.numLayers();
    return LatencyMeasurement::fromRuns({0.1 * ms, 0.1 * ms}, {0.9 * ms, 0.9 * ms});
  }
};

}  // namespace

class TestLatencyDataset final : public QObject {
  Q_OBJECT

  SearchSpace m_space = test::tinySpace();
  QTemporaryDir m_dir;

  nlohmann::json header(int runs = 20) const {
    nlohmann::json profile = {{"name", "p"}, {"runs", runs}};
    return LatencyDataset::makeHeader(profile, m_space.toJson(), {{"vocab_size", 50}}, 9,
                                      latencyFeatureNames(m_space));
  }
  std::string path(const char* name) const { return m_dir.filePath(name).toStdString(); }

 private Q_SLOTS:
  void resumedRunMeasuresNothingTwice() {
    const std::string file = path("runs/latency/resume.jsonl");  // directories are created
    CountingMeasure counter;
    StopToken stop;
    LatencyDatasetRunner runner(m_space, 9, 5, std::ref(counter));
    int progressCalls = 0;
    runner.setProgress([&](const LatencySample&, int stored, int) {
      if (++progressCalls == 4) stop.requestStop();  // "Ctrl-C" after the 4th sample
      QCOMPARE(stored, progressCalls);
    });
    {
      LatencyDataset d = LatencyDataset::open(file, header());
      const DatasetRunResult r = runner.run(d, 10, stop);
      QVERIFY(r.stopped);
      QCOMPARE(r.measured, 4);
    }
    QCOMPARE(counter.measured.size(), size_t{4});
    // Resume: only the 6 missing subnets are measured, exactly the rest of the plan.
    stop.reset();
    runner.setProgress(nullptr);
    LatencyDataset d = LatencyDataset::open(file, header());
    QCOMPARE(d.samples().size(), size_t{4});
    const DatasetRunResult r = runner.run(d, 10, stop);
    QVERIFY(!r.stopped);
    QCOMPARE(r.alreadyStored, 4);
    QCOMPARE(r.measured, 6);
    const auto plan = LatencySampler(m_space, 9).plan(10);
    QCOMPARE(counter.measured.size(), size_t{10});
    for (size_t i = 0; i < plan.size(); ++i) QVERIFY(counter.measured[i] == plan[i]);
    // Growing the target measures only the new ones; the same target measures none.
    QCOMPARE(runner.run(d, 10, stop).measured, 0);
    QCOMPARE(runner.run(d, 12, stop).measured, 2);
    QCOMPARE(counter.measured.size(), size_t{12});
    // Open for measuring, the file is this dataset's alone: a second opener is refused (reading is not).
    try {
      LatencyDataset::open(file, header());
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QCOMPARE(QString(e.what()), QString::fromStdString(file + ": in use by another job of this process; wait for it to "
                                                                "finish or stop it, then run again"));
    }
    const LatencyDataset back = LatencyDataset::load(file);
    QCOMPARE(back.samples().size(), size_t{12});
    std::set<std::vector<int>> genes;
    for (const auto& s : back.samples()) genes.insert(s.genes);
    QCOMPARE(genes.size(), size_t{12});
  }

  void storedFeaturesAreTheFeatureFunction() {
    const std::string file = path("features.jsonl");
    CountingMeasure counter;
    StopToken stop;
    LatencyDataset d = LatencyDataset::open(file, header());
    LatencyDatasetRunner(m_space, 9, 5, std::ref(counter)).run(d, 8, stop);
    const LatencyDataset back = LatencyDataset::load(file);
    QCOMPARE(back.featureNames(), latencyFeatureNames(m_space));
    for (const auto& s : back.samples()) {
      const auto f = latencyFeatures(s.arch, m_space, 5);
      QCOMPARE(s.features.size(), f.size());
      for (size_t i = 0; i < f.size(); ++i) {
        QCOMPARE(s.features[i].name, f[i].name);
        QCOMPARE(s.features[i].value, f[i].value);
      }
      QVERIFY(s.measurement.meanMs() > 0);
    }
  }

  void truncatedLastLineIsDroppedAndRepaired() {
    const std::string file = path("truncated.jsonl");
    CountingMeasure counter;
    StopToken stop;
    LatencyDatasetRunner runner(m_space, 9, 5, std::ref(counter));
    {
      LatencyDataset d = LatencyDataset::open(file, header());
      runner.run(d, 3, stop);
    }
    {
      std::ofstream out(file, std::ios::app);  // a write cut short by a crash
      out << "{\"kind\": \"sample\", \"index\": 3, \"gen";
    }
    LatencyDataset d = LatencyDataset::open(file, header());
    QVERIFY(d.droppedTruncatedLine());
    QCOMPARE(d.samples().size(), size_t{3});
    QCOMPARE(runner.run(d, 5, stop).measured, 2);
    const LatencyDataset back = LatencyDataset::load(file);  // every line parses again
    QVERIFY(!back.droppedTruncatedLine());
    QCOMPARE(back.samples().size(), size_t{5});
  }

  // A sample the disk cannot take (a file-size limit here): FileWriteError naming the file; the
  // samples before it stay, the cut line is dropped on the next open and the run goes on.
  void aFullDiskKeepsEverySampleBefore() {
    const std::string file = path("full.jsonl");
    CountingMeasure counter;
    StopToken stop;
    LatencyDatasetRunner runner(m_space, 9, 5, std::ref(counter));
    {
      LatencyDataset d = LatencyDataset::open(file, header());
      runner.run(d, 3, stop);
      const automoe::testing::FileSizeLimit limit(std::filesystem::file_size(file) + 10);
      try {
        runner.run(d, 5, stop);
        QFAIL("expected FileWriteError");
      } catch (const FileWriteError& e) {
        QCOMPARE(QString(e.what()), QString::fromStdString(file + ": cannot append a line: " + std::strerror(EFBIG)));
      }
    }
    LatencyDataset d = LatencyDataset::open(file, header());
    QVERIFY(d.droppedTruncatedLine());
    QCOMPARE(d.samples().size(), size_t{3});
    QCOMPARE(runner.run(d, 5, stop).measured, 2);
    QCOMPARE(LatencyDataset::load(file).samples().size(), size_t{5});
  }

  void refusesFilesMeasuredUnderOtherSettings() {
    const std::string file = path("other.jsonl");
    LatencyDataset::open(file, header(20));
    try {
      LatencyDataset::open(file, header(7));
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY(QString(e.what()).contains("other.jsonl"));
      QVERIFY(QString(e.what()).contains("'profile'"));
    }
    const std::string bad = path("bad.jsonl");
    writeFileAtomically(bad, header().dump() + "\nnot json\n{}\n");
    try {
      LatencyDataset::load(bad);
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).contains("bad.jsonl:2"), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(ConfigError, LatencyDataset::load(path("missing.jsonl")));
  }

  void headerRecordsSettingsAndVersions() {
    const nlohmann::json h = header();
    QCOMPARE(h.at("seed").get<int>(), 9);
    QVERIFY(h.at("provenance").contains("torch_version"));
    QVERIFY(h.at("provenance").contains("automoe_version"));
    QVERIFY(h.at("provenance").contains("blas_core"));
    QCOMPARE(h.at("provenance").at("cpu_bf16_products").get<std::string>(), cpuBf16ProductsName());
    QCOMPARE(h.at("profile").at("name").get<std::string>(), std::string("p"));
  }
};

QTEST_APPLESS_MAIN(TestLatencyDataset)
#include "test_latency_dataset.moc"
