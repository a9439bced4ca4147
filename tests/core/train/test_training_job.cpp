// runTrainingJob: what `automoe train` and the GUI run. It trains in the project's run folder,
// resumes its checkpoint (saying so, and which options changed), starts over when fresh, refuses
// a damaged checkpoint with the front end's hint, and asks for a prepared corpus when there is none.
#include <QtTest/QtTest>

#include <QTemporaryDir>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/recording_observer.h"
#include "support/tiny_project.h"
#include "train/training_job.h"
#include "util/config_error.h"

using namespace automoe;

namespace {

bool anyContains(const std::vector<std::string>& lines, const std::string& text) {
  for (const auto& l : lines)
    if (l.find(text) != std::string::npos) return true;
  return false;
}

TrainingJob synthetic() {
  TrainingJob job;
  job.synthetic = true;
  return job;
}

}  // namespace

class TestTrainingJob final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void trainsInTheProjectsRunFolderThenResumes() {
    QTemporaryDir dir;
    Project p = test::tinyProjectIn(dir.path().toStdString(), 3);
    StopToken stop;
    test::RecordingObserver first;
    const TrainResult a = runTrainingJob(p, p.training, synthetic(), stop, first);
    QCOMPARE(int(a.status), int(TrainStatus::Finished));
    QCOMPARE(a.step, int64_t{3});
    QCOMPARE(int(first.steps.size()), 3);
    QVERIFY(!anyContains(first.messages, "resuming"));
    const std::string runDir = trainingRunDir(p, p.training, synthetic());
    QCOMPARE(runDir, dir.path().toStdString() + "/runs/supernet");
    QVERIFY(std::filesystem::exists(runDir + "/checkpoint_last.pt"));

    // Further, with another learning rate: resumed at update 3, the change named.
    TrainingOptions more = p.training;
    more.maxUpdates = 5;
    more.lr.maxLr *= 0.5;
    more.lr.totalUpdates = 5;
    test::RecordingObserver second;
    const TrainResult b = runTrainingJob(p, more, synthetic(), stop, second);
    QCOMPARE(b.step, int64_t{5});
    QCOMPARE(int(second.steps.size()), 2);
    QCOMPARE(second.steps.front().step, int64_t{4});
    QVERIFY(anyContains(second.messages, "resuming " + runDir + "/checkpoint_last.pt at update 3"));
    QVERIFY(anyContains(second.messages, "note: training options differ from the checkpoint's ("));
    QVERIFY(!anyContains(second.messages, "note: model options differ"));
  }

  void freshStartsOver() {
    QTemporaryDir dir;
    Project p = test::tinyProjectIn(dir.path().toStdString(), 2);
    StopToken stop;
    test::RecordingObserver first, again;
    runTrainingJob(p, p.training, synthetic(), stop, first);
    TrainingJob fresh = synthetic();
    fresh.fresh = true;
    const TrainResult r = runTrainingJob(p, p.training, fresh, stop, again);
    QCOMPARE(r.step, int64_t{2});
    QCOMPARE(again.steps.front().step, int64_t{1});
    QVERIFY(!anyContains(again.messages, "resuming"));
    // The same seed, from scratch: the same losses.
    QCOMPARE(again.steps.back().loss, first.steps.back().loss);
  }

  void explicitRunFolder() {
    QTemporaryDir dir, elsewhere;
    Project p = test::tinyProjectIn(dir.path().toStdString(), 1);
    TrainingJob job = synthetic();
    job.runDir = elsewhere.path().toStdString() + "/run";
    StopToken stop;
    test::RecordingObserver rec;
    runTrainingJob(p, p.training, job, stop, rec);
    QVERIFY(std::filesystem::exists(job.runDir + "/checkpoint_last.pt"));
    QVERIFY(!std::filesystem::exists(dir.path().toStdString() + "/runs"));
  }

  void damagedCheckpointIsRefusedWithTheHint() {
    QTemporaryDir dir;
    Project p = test::tinyProjectIn(dir.path().toStdString(), 1);
    const std::string runDir = dir.path().toStdString() + "/runs/supernet";
    std::filesystem::create_directories(runDir);
    std::ofstream(runDir + "/checkpoint_last.pt") << "not a checkpoint";
    TrainingJob job = synthetic();
    job.freshHint = "press the big button";
    StopToken stop;
    test::RecordingObserver rec;
    try {
      runTrainingJob(p, p.training, job, stop, rec);
      QFAIL("a damaged checkpoint was resumed");
    } catch (const ConfigError& e) {
      const std::string what = e.what();
      QVERIFY2(what.find("checkpoint_last.pt") != std::string::npos, e.what());
      QVERIFY2(what.find("; press the big button") != std::string::npos, e.what());
    }
    QVERIFY(rec.steps.empty());
  }

  void withoutAPreparedCorpusSaysHowToMakeOne() {
    QTemporaryDir dir;
    Project p = test::tinyProjectIn(dir.path().toStdString(), 1);
    StopToken stop;
    test::RecordingObserver rec;
    try {
      runTrainingJob(p, p.training, TrainingJob{}, stop, rec);
      QFAIL("trained without a corpus");
    } catch (const ConfigError& e) {
      QVERIFY2(std::string(e.what()).find("automoe data all") != std::string::npos, e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestTrainingJob)
#include "test_training_job.moc"
