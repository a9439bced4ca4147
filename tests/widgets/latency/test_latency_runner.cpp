// LatencyRunner: a dataset job reports every measured subnet (stored count, plan size, a positive
// latency and FLOPs, the plan index) and ends once with its summary; a second start while one runs
// is refused; a stop ends it early as stopped, keeping what was measured; a predictor job hands
// over its fit (one point per sample); an unknown profile arrives as failed() naming it. No
// assertion on measured durations beyond their being positive.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "latency/latency_runner.h"
#include "support/tiny_project.h"

using namespace automoe;
using automoe::widgets::LatencyRunner;

class TestLatencyRunner final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void measuresReportsAndFits() {
    QTemporaryDir dir;
    const Project p = test::tinyLatencyProjectIn(dir.path().toStdString());
    LatencyRunner runner;
    QSignalSpy samples(&runner, &LatencyRunner::sampleMeasured);
    QSignalSpy finished(&runner, &LatencyRunner::finished);
    QSignalSpy messages(&runner, &LatencyRunner::message);
    QVERIFY(runner.startDataset(p, LatencyDatasetJob{"", 6}));
    QVERIFY(runner.isRunning());
    QVERIFY(!runner.startDataset(p, LatencyDatasetJob{"", 6}));  // one at a time
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.front().at(1).toBool(), false);
    QVERIFY2(finished.front().at(0).toString().contains(QStringLiteral("6 of 6")),
             qPrintable(finished.front().at(0).toString()));
    QCOMPARE(samples.size(), 6);
    QSet<int> indices;
    for (int i = 0; i < samples.size(); ++i) {
      const QList<QVariant>& s = samples[i];
      QCOMPARE(s.at(0).toInt(), i + 1);  // stored
      QCOMPARE(s.at(1).toInt(), 6);      // planned
      QVERIFY(s.at(2).toDouble() > 0);   // ms
      QVERIFY(s.at(3).toDouble() > 0);   // FLOPs
      indices.insert(s.at(4).toInt());
      QVERIFY(!s.at(5).toString().isEmpty());
    }
    QCOMPARE(indices.size(), 6);
    QVERIFY(!messages.isEmpty());
    QVERIFY(!runner.isRunning());
    QVERIFY(!runner.fit().has_value());

    QVERIFY(runner.startPredictor(p, LatencyPredictorJob{}));
    QVERIFY(finished.wait(120000));
    QVERIFY(runner.fit().has_value());
    QCOMPARE(runner.fit()->points.size(), size_t{6});
    QVERIFY(finished.back().at(0).toString().contains(QStringLiteral("Kendall tau")));
  }

  void stopEndsEarlyKeepingTheSamples() {
    QTemporaryDir dir;
    const Project p = test::tinyLatencyProjectIn(dir.path().toStdString());
    LatencyRunner runner;
    QSignalSpy samples(&runner, &LatencyRunner::sampleMeasured);
    QSignalSpy finished(&runner, &LatencyRunner::finished);
    connect(&runner, &LatencyRunner::sampleMeasured, &runner, [&] { runner.requestStop(); });
    QVERIFY(runner.startDataset(p, LatencyDatasetJob{"other", 500}));
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished.front().at(1).toBool(), true);
    QVERIFY(samples.size() >= 1 && samples.size() < 500);
    QVERIFY(finished.front().at(0).toString().contains(QStringLiteral("resumes")));
  }

  void badProfileFails() {
    QTemporaryDir dir;
    const Project p = test::tinyLatencyProjectIn(dir.path().toStdString());
    LatencyRunner runner;
    QSignalSpy failed(&runner, &LatencyRunner::failed);
    QSignalSpy finished(&runner, &LatencyRunner::finished);
    QVERIFY(runner.startPredictor(p, LatencyPredictorJob{"fast", -1, 0}));  // no dataset yet
    QVERIFY(failed.wait(60000));
    QVERIFY2(failed.front().at(0).toString().contains(QStringLiteral("no latency dataset")),
             qPrintable(failed.front().at(0).toString()));
    QVERIFY(runner.startDataset(p, LatencyDatasetJob{"tpu-9", 1}));
    QVERIFY(failed.wait(60000));
    QVERIFY(failed.back().at(0).toString().contains(QStringLiteral("tpu-9")));
    QCOMPARE(finished.size(), 0);
    QVERIFY(!runner.fit().has_value());
  }
};

QTEST_MAIN(TestLatencyRunner)
#include "test_latency_runner.moc"
