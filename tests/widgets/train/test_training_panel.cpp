// TrainingPanel: the Train button runs the project's training with live curves, expert load and
// status, Stop ends it with a checkpoint, a new panel on the same project shows the run's history,
// "Start over" starts from update 1, and a failure is shown, not thrown.
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <filesystem>

#include "plot/training_curves_plot.h"
#include "support/tiny_project.h"
#include "train/expert_load_view.h"
#include "train/training_panel.h"
#include "train/training_runner.h"

using namespace automoe;
using namespace automoe::widgets;

namespace {

Project projectIn(const QTemporaryDir& dir, int64_t updates) {
  Project p = test::tinyProjectIn(dir.path().toStdString(), updates);
  p.training.logEvery = 1;
  p.training.validateEvery = 3;
  return p;
}

}  // namespace

class TestTrainingPanel final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void trainButtonRunsWithLiveCurves() {
    QTemporaryDir dir;
    TrainingPanel panel(projectIn(dir, 6));
    QCOMPARE(panel.updatesBox()->value(), 6);
    QCOMPARE(panel.runDir(), dir.path() + QStringLiteral("/runs/supernet"));
    QVERIFY(panel.startButton()->isEnabled() && !panel.stopButton()->isEnabled());
    panel.syntheticBox()->setChecked(true);
    QSignalSpy ended(&panel, &TrainingPanel::runEnded);
    TrainStepStats last;
    connect(panel.runner(), &TrainingRunner::stepDone, this, [&](const TrainStepStats& s) { last = s; });
    QTest::mouseClick(panel.startButton(), Qt::LeftButton);
    QVERIFY(panel.isRunning());
    QVERIFY(!panel.startButton()->isEnabled() && panel.stopButton()->isEnabled());
    QVERIFY(!panel.syntheticBox()->isEnabled());
    QVERIFY(ended.wait(60000));
    QVERIFY(panel.startButton()->isEnabled() && !panel.stopButton()->isEnabled());
    QCOMPARE(panel.curves()->trainingLoss().size(), 6);
    QCOMPARE(panel.curves()->validationSubnets().size(), 3);  // largest, smallest, random-1
    QCOMPARE(panel.curves()->validationLoss(panel.curves()->validationSubnets().front()).size(), 2);
    QVERIFY2(panel.statusText().contains(QStringLiteral("finished 6 updates")), qPrintable(panel.statusText()));
    // The expert load of the last update is shown.
    QCOMPARE(last.step, int64_t{6});
    QCOMPARE(panel.expertLoad()->load(), last.expertLoad);
    QCOMPARE(panel.expertLoad()->rowLabels().size(), int(last.expertLoad.size()));
    QVERIFY2(panel.logText().contains(QStringLiteral("checkpoint ")), qPrintable(panel.logText()));
    QVERIFY2(panel.logText().contains(QStringLiteral("valid @6:")), qPrintable(panel.logText()));

    // A new panel on the same project starts with the run's history.
    TrainingPanel reopened(projectIn(dir, 6));
    QCOMPARE(reopened.curves()->trainingLoss(), panel.curves()->trainingLoss());
    QCOMPARE(reopened.curves()->validationSubnets(), panel.curves()->validationSubnets());
    QCOMPARE(reopened.expertLoad()->load(), last.expertLoad);  // logged with every update here
    QVERIFY2(reopened.logText().contains(QStringLiteral("run history: 6 logged updates, 2 validations")),
             qPrintable(reopened.logText()));

    // More updates resume the run; the curves go on from update 7.
    reopened.syntheticBox()->setChecked(true);
    reopened.updatesBox()->setValue(8);
    QSignalSpy endedAgain(&reopened, &TrainingPanel::runEnded);
    reopened.start();
    QVERIFY(endedAgain.wait(60000));
    QCOMPARE(reopened.curves()->trainingLoss().size(), 8);
    QCOMPARE(reopened.curves()->trainingLoss().back().x(), 8.0);
    QVERIFY(reopened.logText().contains(QStringLiteral("resuming")));

    // Start over: the curves restart at update 1.
    reopened.freshBox()->setChecked(true);
    reopened.updatesBox()->setValue(2);
    QSignalSpy endedFresh(&reopened, &TrainingPanel::runEnded);
    reopened.start();
    QVERIFY(!reopened.freshBox()->isChecked());  // the next start resumes this run
    QVERIFY(endedFresh.wait(60000));
    QCOMPARE(reopened.curves()->trainingLoss().size(), 2);
    QCOMPARE(reopened.curves()->trainingLoss().front().x(), 1.0);
  }

  // The precision and thread choices reach the run (run.json records the training options).
  void precisionAndThreadsReachTheRun() {
    QTemporaryDir dir;
    Project p = projectIn(dir, 2);
    p.training.threads = 2;
    TrainingPanel panel(p);
    QCOMPARE(panel.precisionBox()->currentData().toString(), QStringLiteral("fp32"));  // the project's
    QCOMPARE(panel.threadsBox()->value(), 2);
    panel.precisionBox()->setCurrentIndex(panel.precisionBox()->findData(QStringLiteral("bf16")));
    panel.threadsBox()->setValue(1);
    panel.syntheticBox()->setChecked(true);
    QSignalSpy ended(&panel, &TrainingPanel::runEnded);
    panel.start();
    QVERIFY(!panel.precisionBox()->isEnabled() && !panel.threadsBox()->isEnabled());
    QVERIFY(ended.wait(60000));
    QVERIFY(panel.precisionBox()->isEnabled());
    QFile run(dir.filePath(QStringLiteral("runs/supernet/run.json")));
    QVERIFY(run.open(QIODevice::ReadOnly));
    const QJsonObject training = QJsonDocument::fromJson(run.readAll()).object().value(QStringLiteral("training")).toObject();
    QCOMPARE(training.value(QStringLiteral("precision")).toString(), QStringLiteral("bf16"));
    QCOMPARE(training.value(QStringLiteral("threads")).toInt(), 1);
    QCOMPARE(training.value(QStringLiteral("max_updates")).toInt(), 2);
  }

  void stopButtonStopsWithACheckpoint() {
    QTemporaryDir dir;
    TrainingPanel panel(projectIn(dir, 100000));
    panel.syntheticBox()->setChecked(true);
    QSignalSpy ended(&panel, &TrainingPanel::runEnded);
    QSignalSpy steps(panel.runner(), &TrainingRunner::stepDone);
    panel.start();
    QVERIFY(steps.wait(60000));
    QTest::mouseClick(panel.stopButton(), Qt::LeftButton);
    QVERIFY(!panel.stopButton()->isEnabled());
    QVERIFY(ended.wait(60000));
    QVERIFY2(panel.statusText().contains(QStringLiteral("stopped at update")), qPrintable(panel.statusText()));
    QVERIFY(std::filesystem::exists(dir.path().toStdString() + "/runs/supernet/checkpoint_last.pt"));
  }

  void failureIsShown() {
    QTemporaryDir dir;
    TrainingPanel panel(projectIn(dir, 3));  // no prepared corpus, synthetic not ticked
    QSignalSpy ended(&panel, &TrainingPanel::runEnded);
    panel.start();
    QVERIFY(ended.wait(60000));
    QVERIFY2(panel.statusText().startsWith(QStringLiteral("Training failed: ")), qPrintable(panel.statusText()));
    QVERIFY(panel.statusText().contains(QStringLiteral("automoe data all")));
    QVERIFY(panel.startButton()->isEnabled());
  }
};

QTEST_MAIN(TestTrainingPanel)
#include "test_training_panel.moc"
