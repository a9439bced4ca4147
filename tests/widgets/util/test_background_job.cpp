// BackgroundJob: the work runs on another thread and finished() arrives on the owner's; an
// exception becomes failed() with its text; a stop request reaches the work's token; one job at a
// time; destroying a running job stops it and waits.
#include <QSignalSpy>
#include <QThread>
#include <QtTest/QtTest>
#include <atomic>
#include <memory>
#include <stdexcept>

#include "util/background_job.h"

using automoe::StopToken;
using automoe::widgets::BackgroundJob;

class TestBackgroundJob final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void runsOnAnotherThread() {
    BackgroundJob job;
    QThread* ranOn = nullptr;
    QSignalSpy finished(&job, &BackgroundJob::finished), failed(&job, &BackgroundJob::failed);
    QVERIFY(job.start([&](const StopToken&) { ranOn = QThread::currentThread(); }));
    QVERIFY(finished.wait(10000));
    QVERIFY(failed.isEmpty());
    QVERIFY(ranOn != nullptr && ranOn != QThread::currentThread());
    QVERIFY(!job.isRunning());
  }

  void exceptionBecomesFailed() {
    BackgroundJob job;
    QSignalSpy finished(&job, &BackgroundJob::finished), failed(&job, &BackgroundJob::failed);
    QVERIFY(job.start([](const StopToken&) { throw std::runtime_error("disk on fire"); }));
    QVERIFY(failed.wait(10000));
    QCOMPARE(failed.front().front().toString(), QStringLiteral("disk on fire"));
    QVERIFY(finished.isEmpty());
    QVERIFY(!job.isRunning());
  }

  void stopReachesTheWorkAndOneJobAtATime() {
    BackgroundJob job;
    std::atomic<bool> sawStop{false};
    QSignalSpy finished(&job, &BackgroundJob::finished);
    QVERIFY(job.start([&](const StopToken& stop) {
      while (!stop.stopRequested()) QThread::msleep(1);
      sawStop = true;
    }));
    QVERIFY(job.isRunning());
    QVERIFY(!job.start([](const StopToken&) {}));
    job.requestStop();
    QVERIFY(finished.wait(10000));
    QVERIFY(sawStop);
    // A new job starts with a fresh token.
    std::atomic<bool> stoppedAtStart{true};
    QVERIFY(job.start([&](const StopToken& stop) { stoppedAtStart = stop.stopRequested(); }));
    QVERIFY(finished.wait(10000));
    QVERIFY(!stoppedAtStart);
  }

  void destroyingARunningJobStopsIt() {
    auto job = std::make_unique<BackgroundJob>();
    std::atomic<bool> ended{false};
    QVERIFY(job->start([&](const StopToken& stop) {
      while (!stop.stopRequested()) QThread::msleep(1);
      ended = true;
    }));
    job.reset();
    QVERIFY(ended);
  }
};

QTEST_MAIN(TestBackgroundJob)
#include "test_background_job.moc"
