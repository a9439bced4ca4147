// readMetricsHistory: a run's metrics.jsonl read back as the observer saw it (what the GUI plots
// when it opens a run), lines a crash cut short or a hand edit broke skipped and counted.
#include <QtTest/QtTest>

#include <QTemporaryDir>
#include <fstream>
#include <string>

#include "support/recording_observer.h"
#include "support/tiny_project.h"
#include "train/metrics_history.h"
#include "train/training_job.h"

using namespace automoe;

class TestMetricsHistory final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void readsWhatTheRunReported() {
    QTemporaryDir dir;
    Project p = test::tinyProjectIn(dir.path().toStdString(), 6);
    p.training.logEvery = 1;
    p.training.validateEvery = 3;
    TrainingJob job;
    job.synthetic = true;
    StopToken stop;
    test::RecordingObserver rec;
    runTrainingJob(p, p.training, job, stop, rec);
    const MetricsHistory h = readMetricsHistory(trainingRunDir(p, p.training, job) + "/metrics.jsonl");
    QCOMPARE(h.skippedLines, int64_t{0});
    QCOMPARE(h.steps.size(), rec.steps.size());
    for (size_t i = 0; i < h.steps.size(); ++i) {
      QCOMPARE(h.steps[i].step, rec.steps[i].step);
      QCOMPARE(h.steps[i].loss, rec.steps[i].loss);  // JSON keeps a double exactly
      QCOMPARE(h.steps[i].lr, rec.steps[i].lr);
      QCOMPARE(h.steps[i].expertLoad, rec.steps[i].expertLoad);
      QCOMPARE(h.steps[i].expertLoadEncoderRows, rec.steps[i].expertLoadEncoderRows);
      QCOMPARE(h.steps[i].arch, rec.steps[i].arch);
    }
    QCOMPARE(h.validations.size(), size_t{2});
    QCOMPARE(h.validations.size(), rec.validations.size());
    for (size_t i = 0; i < h.validations.size(); ++i) {
      QCOMPARE(h.validations[i].step, rec.validations[i].step);
      QCOMPARE(h.validations[i].subnets.size(), rec.validations[i].subnets.size());
      for (size_t k = 0; k < h.validations[i].subnets.size(); ++k) {
        QCOMPARE(h.validations[i].subnets[k].name, rec.validations[i].subnets[k].name);
        QCOMPARE(h.validations[i].subnets[k].loss, rec.validations[i].subnets[k].loss);
      }
    }
  }

  void skipsBrokenLines() {
    QTemporaryDir dir;
    const std::string path = dir.path().toStdString() + "/metrics.jsonl";
    // Plain string literals: with raw ones in this file, moc 6.4 generated nothing for the class.
    std::ofstream(path) << "{\"type\":\"train\",\"step\":1,\"lr\":0.001,\"loss\":5.5,\"nll\":5.0}\n"
                        << "\n"
                        << "{\"type\":\"train\",\"step\":2,\"lr\":\"fast\",\"loss\":5.4}\n"  // lr not a number
                        << "{\"type\":\"valid\",\"step\":2,\"subnets\":[{\"name\":\"largest\",\"loss\":5.2}]}\n"
                        << "{\"type\":\"valid\",\"step\":3,\"subnets\":[{\"loss\":5.1}]}\n"  // no name
                        << "{\"type\":\"epoch\",\"step\":3}\n"                                // unknown kind
                        << "{\"type\":\"train\",\"step\":3,\"lr\":0.001,\"lo";               // cut short
    const MetricsHistory h = readMetricsHistory(path);
    QCOMPARE(h.steps.size(), size_t{1});
    QCOMPARE(h.steps[0].step, int64_t{1});
    QCOMPARE(h.steps[0].loss, 5.5);
    QCOMPARE(h.steps[0].nll, 5.0);
    QCOMPARE(h.steps[0].expertLoadEncoderRows, int64_t{-1});  // not in the line: not known
    QCOMPARE(h.validations.size(), size_t{1});
    QCOMPARE(h.validations[0].subnets.at(0).name, std::string("largest"));
    QCOMPARE(h.validations[0].subnets.at(0).loss, 5.2);
    QCOMPARE(h.skippedLines, int64_t{4});
  }

  void missingFileIsNoHistory() {
    const MetricsHistory h = readMetricsHistory("/nonexistent/metrics.jsonl");
    QVERIFY(h.steps.empty() && h.validations.empty());
    QCOMPARE(h.skippedLines, int64_t{0});
  }
};

QTEST_GUILESS_MAIN(TestMetricsHistory)
#include "test_metrics_history.moc"
