// TrainingRunner: a training job on a worker thread whose progress arrives as signals on the GUI
// thread, in order, while the GUI thread stays free; a stop ends the run with a checkpoint; one run
// at a time; an error arrives as failed() with core's message; destroying the runner mid-run stops
// it and keeps its checkpoint.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <QThread>
#include <filesystem>
#include <memory>

#include "support/tiny_project.h"
#include "train/training_runner.h"

using namespace automoe;
using automoe::widgets::TrainingRunner;

namespace {

TrainingJob synthetic() {
  TrainingJob job;
  job.synthetic = true;
  return job;
}

std::string checkpointIn(const QTemporaryDir& dir) {
  return dir.path().toStdString() + "/runs/supernet/checkpoint_last.pt";
}

}  // namespace

class TestTrainingRunner final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void progressArrivesOnTheGuiThreadInOrder() {
    QTemporaryDir dir;
    Project p = test::tinyProjectIn(dir.path().toStdString(), 4);
    p.training.validateEvery = 2;
    TrainingRunner runner;
    QVector<qint64> steps, validated;
    bool onGuiThread = true;
    connect(&runner, &TrainingRunner::stepDone, this, [&](const TrainStepStats& s) {
      onGuiThread = onGuiThread && QThread::currentThread() == thread();
      steps << s.step;
    });
    connect(&runner, &TrainingRunner::validationDone, this, [&](const ValidationStats& v) {
      QVERIFY(!v.subnets.empty());
      validated << v.step;
    });
    QSignalSpy finished(&runner, &TrainingRunner::finished), failed(&runner, &TrainingRunner::failed);
    QSignalSpy checkpoints(&runner, &TrainingRunner::checkpointSaved);
    QVERIFY(runner.start(p, p.training, synthetic()));
    QVERIFY(runner.isRunning());
    QVERIFY(finished.wait(60000));
    QVERIFY(failed.isEmpty());
    QVERIFY(!runner.isRunning());
    const auto result = finished.front().front().value<TrainResult>();
    QCOMPARE(int(result.status), int(TrainStatus::Finished));
    QCOMPARE(result.step, int64_t{4});
    QCOMPARE(steps, (QVector<qint64>{1, 2, 3, 4}));  // all delivered before finished()
    QCOMPARE(validated, (QVector<qint64>{2, 4}));
    QVERIFY(onGuiThread);
    QVERIFY(!checkpoints.isEmpty());
    QCOMPARE(checkpoints.back().at(0).toString().toStdString(), checkpointIn(dir));
    QCOMPARE(checkpoints.back().at(1).toLongLong(), qint64{4});
    QVERIFY(std::filesystem::exists(checkpointIn(dir)));
  }

  void stopEndsTheRunWithACheckpoint() {
    QTemporaryDir dir;
    Project p = test::tinyProjectIn(dir.path().toStdString(), 100000);
    TrainingRunner runner;
    QSignalSpy finished(&runner, &TrainingRunner::finished);
    connect(&runner, &TrainingRunner::stepDone, &runner, &TrainingRunner::requestStop);
    QVERIFY(runner.start(p, p.training, synthetic()));
    QVERIFY(!runner.start(p, p.training, synthetic()));  // one run at a time
    QVERIFY(finished.wait(60000));
    const auto result = finished.front().front().value<TrainResult>();
    QCOMPARE(int(result.status), int(TrainStatus::Stopped));
    QVERIFY(result.step >= 1 && result.step < 100000);
    QVERIFY(std::filesystem::exists(checkpointIn(dir)));
    // Free again: a second run resumes where the first stopped.
    QSignalSpy messages(&runner, &TrainingRunner::message);
    QSignalSpy again(&runner, &TrainingRunner::finished);
    QVERIFY(runner.start(p, p.training, synthetic()));
    QVERIFY(again.wait(60000));
    bool resumed = false;
    for (const auto& m : messages)
      resumed = resumed || m.front().toString().startsWith(QStringLiteral("resuming"));
    QVERIFY(resumed);
    QVERIFY(again.front().front().value<TrainResult>().step > result.step);
  }

  void errorsArriveAsFailed() {
    QTemporaryDir dir;
    const Project p = test::tinyProjectIn(dir.path().toStdString(), 3);
    TrainingRunner runner;
    QSignalSpy finished(&runner, &TrainingRunner::finished), failed(&runner, &TrainingRunner::failed);
    QVERIFY(runner.start(p, p.training, TrainingJob{}));  // no prepared corpus
    QVERIFY(failed.wait(60000));
    QVERIFY(finished.isEmpty());
    QVERIFY(!runner.isRunning());
    const QString error = failed.front().front().toString();
    QVERIFY2(error.contains(QStringLiteral("automoe data all")), qPrintable(error));
  }

  void destroyingTheRunnerStopsTheRun() {
    QTemporaryDir dir;
    const Project p = test::tinyProjectIn(dir.path().toStdString(), 100000);
    auto runner = std::make_unique<TrainingRunner>();
    QSignalSpy steps(runner.get(), &TrainingRunner::stepDone);
    QVERIFY(runner->start(p, p.training, synthetic()));
    QVERIFY(steps.wait(60000));
    runner.reset();  // returns once the run has stopped
    QVERIFY(std::filesystem::exists(checkpointIn(dir)));
  }
};

QTEST_MAIN(TestTrainingRunner)
#include "test_training_runner.moc"
