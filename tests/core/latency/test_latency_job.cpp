// The latency jobs the CLI and the GUI share: the dataset job measures the plan into the
// profile's file, reports every sample, resumes, and stops at the stop token keeping what it
// measured; the predictor job fits and saves the predictor and returns a prediction for every
// row, held-out rows marked as the report counts them; readLatencyFit reads the same back. Bad
// input (unknown profile, missing or mismatched dataset) is a ConfigError naming the file or
// profile. No assertion on measured durations beyond their being positive.
#include <QtTest/QtTest>

#include <QTemporaryDir>

#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "latency/latency_dataset.h"
#include "latency/latency_job.h"
#include "latency/latency_paths.h"
#include "latency/latency_sample.h"
#include "support/tiny_project.h"
#include "util/config_error.h"

using namespace automoe;

namespace {

Project latencyProject(const QString& dir) { return test::tinyLatencyProjectIn(dir.toStdString()); }

// Samples stored in the profile's dataset (0 without one).
size_t storedSamples(const Project& p, const std::string& profile) {
  const std::string path = latencyDatasetPath(p, findHardwareProfile(p.hardwareProfiles, profile, p.path));
  return std::filesystem::exists(path) ? LatencyDataset::load(path).samples().size() : 0;
}

bool throwsMentioning(const std::function<void()>& f, const std::string& what) {
  try {
    f();
  } catch (const ConfigError& e) {
    return std::string(e.what()).find(what) != std::string::npos;
  }
  return false;
}

}  // namespace

class TestLatencyJob final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void datasetJobMeasuresReportsAndResumes() {
    QTemporaryDir dir;
    const Project p = latencyProject(dir.path());
    StopToken stop;
    std::vector<int> stored;
    std::set<int> indices;
    std::vector<std::string> messages;
    LatencyDatasetJob job;
    job.samples = 5;
    const LatencyDatasetJobResult r = runLatencyDatasetJob(
        p, job, stop,
        [&](const LatencySample& s, int n, int planned) {
          QCOMPARE(planned, 5);
          QVERIFY(s.measurement.meanMs() > 0);
          stored.push_back(n);
          indices.insert(s.index);
        },
        [&](const std::string& m) { messages.push_back(m); });
    QCOMPARE(r.profile, std::string("fast"));  // the first profile when none is named
    QCOMPARE(r.path, latencyDatasetPath(p, p.hardwareProfiles[0]));
    QCOMPARE(r.stored, size_t{5});
    QCOMPARE(r.run.measured, 5);
    QVERIFY(!r.run.stopped);
    QCOMPARE(stored, (std::vector<int>{1, 2, 3, 4, 5}));
    QCOMPARE(indices.size(), size_t{5});
    QVERIFY(!messages.empty() && messages.front().find("target 5") != std::string::npos);
    QCOMPARE(LatencyDataset::load(r.path).samples().size(), size_t{5});
    QCOMPARE(storedSamples(p, ""), size_t{5});
    QCOMPARE(storedSamples(p, "other"), size_t{0});

    // Growing to the project's 8 measures only the 3 missing ones.
    int calls = 0;
    const LatencyDatasetJobResult more =
        runLatencyDatasetJob(p, LatencyDatasetJob{"fast", 0}, stop, [&](const LatencySample&, int, int) { ++calls; });
    QCOMPARE(more.target, 8);
    QCOMPARE(more.run.alreadyStored, 5);
    QCOMPARE(more.run.measured, 3);
    QCOMPARE(calls, 3);
    QCOMPARE(more.stored, size_t{8});
  }

  void stopKeepsWhatWasMeasured() {
    QTemporaryDir dir;
    const Project p = latencyProject(dir.path());
    StopToken stop;
    int calls = 0;
    const LatencyDatasetJobResult r = runLatencyDatasetJob(p, LatencyDatasetJob{"other", 6}, stop,
                                                           [&](const LatencySample&, int, int) {
                                                             if (++calls == 2) stop.requestStop();
                                                           });
    QVERIFY(r.run.stopped);
    QCOMPARE(r.run.measured, 2);
    QCOMPARE(r.stored, size_t{2});
    QCOMPARE(storedSamples(p, "other"), size_t{2});
    QCOMPARE(storedSamples(p, "fast"), size_t{0});
  }

  void predictorJobFitsSavesAndReadsBack() {
    QTemporaryDir dir;
    const Project p = latencyProject(dir.path());
    StopToken stop;
    QVERIFY(!readLatencyFit(p, "fast").has_value());
    runLatencyDatasetJob(p, LatencyDatasetJob{"fast", 10}, stop, {});
    QVERIFY(!readLatencyFit(p, "fast").has_value());  // no predictor yet
    LatencyPredictorJob job;
    job.holdout = 0.3;
    const LatencyFit fit = runLatencyPredictorJob(p, job);
    QVERIFY(std::filesystem::exists(fit.predictorStem + ".pt"));
    QVERIFY(std::filesystem::exists(fit.predictorStem + ".json"));
    QCOMPARE(fit.points.size(), size_t{10});
    int heldOut = 0;
    for (const auto& pt : fit.points) {
      heldOut += pt.heldOut;
      QVERIFY(pt.measuredMs > 0);
      QVERIFY(std::isfinite(pt.predictedMs));
      QVERIFY(!pt.summary.empty());
      QVERIFY(pt.inFit);
    }
    QCOMPARE(heldOut, 3);
    QCOMPARE(fit.report.test.count, 3);
    QCOMPARE(fit.report.train.count, 7);
    QVERIFY(fit.features > 0);
    QVERIFY(!fit.datasetGrew);

    const std::optional<LatencyFit> back = readLatencyFit(p, "fast");
    QVERIFY(back.has_value());
    QCOMPARE(back->points.size(), fit.points.size());
    for (size_t i = 0; i < fit.points.size(); ++i) {
      QCOMPARE(back->points[i].index, fit.points[i].index);
      QCOMPARE(back->points[i].heldOut, fit.points[i].heldOut);
      QVERIFY(std::abs(back->points[i].predictedMs - fit.points[i].predictedMs) < 1e-6 * fit.points[i].predictedMs);
    }
    QCOMPARE(back->report.test.count, 3);
    QVERIFY(std::abs(back->report.test.kendallTau - fit.report.test.kendallTau) < 1e-12);
    QVERIFY(!back->datasetGrew);

    // Rows measured after the fit: shown, not counted as held out, and flagged.
    runLatencyDatasetJob(p, LatencyDatasetJob{"fast", 12}, stop, {});
    const std::optional<LatencyFit> grown = readLatencyFit(p, "fast");
    QVERIFY(grown.has_value());
    QCOMPARE(grown->points.size(), size_t{12});
    QVERIFY(grown->datasetGrew);
    for (size_t i = 0; i < grown->points.size(); ++i) {
      QCOMPARE(grown->points[i].inFit, i < 10);
      if (i >= 10) QVERIFY(!grown->points[i].heldOut);
    }
  }

  void badInputNamesWhatIsWrong() {
    QTemporaryDir dir;
    Project p = latencyProject(dir.path());
    StopToken stop;
    QVERIFY(throwsMentioning([&] { runLatencyDatasetJob(p, LatencyDatasetJob{"gpu-x", 1}, stop, {}); }, "gpu-x"));
    QVERIFY(throwsMentioning([&] { runLatencyPredictorJob(p, LatencyPredictorJob{"fast", -1, 0}); },
                             "no latency dataset"));
    runLatencyDatasetJob(p, LatencyDatasetJob{"fast", 3}, stop, {});
    QVERIFY(throwsMentioning([&] { runLatencyPredictorJob(p, LatencyPredictorJob{"fast", -1, 0}); },
                             "at least 5"));
    // The profile's settings changed since the dataset was measured.
    p.hardwareProfiles[0].runs = 3;
    QVERIFY(throwsMentioning([&] { runLatencyPredictorJob(p, LatencyPredictorJob{"fast", -1, 0}); },
                             "field 'profile'"));
    QVERIFY(throwsMentioning([&] { runLatencyDatasetJob(p, LatencyDatasetJob{"fast", 4}, stop, {}); }, "profile"));
  }
};

QTEST_GUILESS_MAIN(TestLatencyJob)
#include "test_latency_job.moc"
