// The retraining job the CLI and the GUI share: its options (updates with the schedule kept inside
// them, threads), its run folder, and a run on the synthetic corpus: it finishes with checkpoints
// averaged and no model folder (synthetic data has no tokenizer), reports its notes to the
// observer, resumes the finished run instead of repeating it, and stops at once when asked. A
// subnet outside the space is refused.
#include <QtTest/QtTest>

#include <QTemporaryDir>

#include <filesystem>

#include "support/recording_observer.h"
#include "support/tiny_project.h"
#include "train/retrain_job.h"
#include "util/config_error.h"

using namespace automoe;

namespace {

Project retrainProject(const QString& dir) {
  Project p = test::tinyProjectIn(dir.toStdString(), 1);
  p.retrain.averageLast = 2;
  p.retrain.training = test::tinyTraining(4);
  p.retrain.training.checkpointEvery = 1;
  p.retrain.training.logEvery = 1;
  p.retrain.training.runDir = "runs/retrain";
  return p;
}

}  // namespace

class TestRetrainJob final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void optionsFollowTheJob() {
    Project p = test::tinyProject();
    p.retrain.training = test::tinyTraining(100);
    p.retrain.training.lr.warmupUpdates = 40;
    p.retrain.training.threads = 2;
    TrainingOptions o = retrainOptionsFor(p, RetrainJob{});
    QCOMPARE(o.maxUpdates, int64_t{100});
    QCOMPARE(o.threads, 2);
    RetrainJob job;
    job.maxUpdates = 30;  // shorter than the warm-up: the warm-up shrinks to a tenth
    job.threads = 1;
    o = retrainOptionsFor(p, job);
    QCOMPARE(o.maxUpdates, int64_t{30});
    QCOMPARE(o.lr.totalUpdates, int64_t{30});
    QCOMPARE(o.lr.warmupUpdates, int64_t{3});
    QCOMPARE(o.threads, 1);
    job.maxUpdates = 200;
    QCOMPARE(retrainOptionsFor(p, job).lr.warmupUpdates, int64_t{40});
  }

  void runFolders() {
    QTemporaryDir dir;
    const Project p = retrainProject(dir.path());
    const std::string runDir = retrainRunDir(p, RetrainJob{});
    QCOMPARE(runDir, p.resolvePath("runs/retrain"));
    RetrainJob job;
    job.runDir = "elsewhere/run";
    QCOMPARE(retrainRunDir(p, job), std::string("elsewhere/run"));
    QCOMPARE(retrainedModelDir(runDir), runDir + "/model");
  }

  void syntheticRunFinishesResumesAndStops() {
    QTemporaryDir dir;
    const Project p = retrainProject(dir.path());
    const ArchConfig arch = p.space.smallest();
    RetrainJob job;
    job.synthetic = true;
    job.fresh = true;
    StopToken stop;
    test::RecordingObserver observer;
    const RetrainJobResult r = runRetrainJob(p, arch, job, stop, observer);
    QVERIFY2(r.train.status == TrainStatus::Finished, r.train.message.c_str());
    QCOMPARE(r.runDir, retrainRunDir(p, job));
    QCOMPARE(r.resumedAt, int64_t{0});
    QCOMPARE(r.averagedFrom, size_t{2});
    QVERIFY(std::filesystem::exists(r.averagedCheckpoint));
    QVERIFY(std::isfinite(r.validLoss) && r.validLoss > 0);
    QVERIFY(r.modelDir.empty());
    QVERIFY(r.noModel.find("synthetic") != std::string::npos);
    QCOMPARE(observer.steps.size(), size_t{4});
    QVERIFY(!observer.messages.empty() && observer.messages.front().find("retraining") == 0);

    // Run again without starting over: it resumes at the end instead of training again.
    job.fresh = false;
    test::RecordingObserver again;
    const RetrainJobResult resumed = runRetrainJob(p, arch, job, stop, again);
    QCOMPARE(resumed.resumedAt, int64_t{4});
    QVERIFY(again.steps.empty());

    // Asked to stop before it starts: stopped, not finished.
    StopToken stopped;
    stopped.requestStop();
    job.fresh = true;
    test::RecordingObserver none;
    const RetrainJobResult s = runRetrainJob(p, arch, job, stopped, none);
    QVERIFY(s.train.status == TrainStatus::Stopped);
    QVERIFY(s.averagedCheckpoint.empty());
  }

  void subnetOutsideTheSpaceIsRefused() {
    QTemporaryDir dir;
    const Project p = retrainProject(dir.path());
    ArchConfig arch = p.space.largest();
    arch.encoder.embedDim += 1;
    StopToken stop;
    test::RecordingObserver observer;
    RetrainJob job;
    job.synthetic = true;
    QVERIFY_THROWS_EXCEPTION(ConfigError, runRetrainJob(p, arch, job, stop, observer));
  }
};

QTEST_GUILESS_MAIN(TestRetrainJob)
#include "test_retrain_job.moc"
