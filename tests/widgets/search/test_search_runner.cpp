// SearchRunner and the Search tab's buttons: with a trained (tiny) supernet, *Search* runs the
// project's search on a worker thread, its generations arrive as signals, the history file it
// writes fills the Pareto view, a stop keeps the history and the next start resumes it, and a
// project without a trained supernet fails with core's message.
#include <QCheckBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <filesystem>

#include "plot/pareto_plot.h"
#include "search/search_panel.h"
#include "search/search_runner.h"
#include "support/tiny_project.h"
#include "train/training_job.h"

using namespace automoe;
using namespace automoe::widgets;

namespace {

// The tiny project with a small NSGA-II search on FLOPs, its supernet trained for a few updates.
Project searchableIn(const QTemporaryDir& dir) {
  Project p = test::tinyProjectIn(dir.path().toStdString(), 4);
  p.search.setPopulation(6);
  p.search.generations = 3;
  p.search.validBatches = 1;
  p.search.mode = "nsga2";
  p.search.costObjective = "flops";
  TrainingJob job;
  job.synthetic = true;
  StopToken stop;
  TrainingObserver quiet;
  runTrainingJob(p, p.training, job, stop, quiet);
  return p;
}

}  // namespace

class TestSearchRunner final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void searchButtonRunsTheSearch() {
    QTemporaryDir dir;
    const Project p = searchableIn(dir);
    SearchPanel panel(p);
    QVERIFY(panel.candidates().empty());
    panel.syntheticBox()->setChecked(true);
    QSignalSpy generations(panel.runner(), &SearchRunner::generationDone);
    QSignalSpy ended(&panel, &SearchPanel::runEnded);
    QTest::mouseClick(panel.startButton(), Qt::LeftButton);
    QVERIFY(panel.isRunning());
    QVERIFY(!panel.startButton()->isEnabled() && panel.stopButton()->isEnabled());
    QVERIFY(ended.wait(120000));
    QCOMPARE(generations.size(), 3);
    QVERIFY(!panel.isRunning());
    QVERIFY2(panel.statusText().startsWith(QStringLiteral("best candidate #")), qPrintable(panel.statusText()));
    QVERIFY(panel.candidates().size() >= 6);
    QVERIFY(!panel.pareto()->frontIds().isEmpty());
    QCOMPARE(panel.costMetric(), QStringLiteral("flops"));
    QVERIFY(std::filesystem::exists(p.resolvePath(p.search.runDir) + "/result.json"));
    QVERIFY2(panel.logText().contains(QStringLiteral("generation 3/3")), qPrintable(panel.logText()));
  }

  void stopKeepsTheHistoryAndTheNextStartResumes() {
    QTemporaryDir dir;
    Project p = searchableIn(dir);
    p.search.generations = 1000;
    SearchRunner runner;
    QSignalSpy finished(&runner, &SearchRunner::finished);
    connect(&runner, &SearchRunner::generationDone, &runner, &SearchRunner::requestStop);
    SearchJob job;
    job.synthetic = true;
    QVERIFY(runner.start(p, job));
    QVERIFY(!runner.start(p, job));  // one at a time
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished.front().at(1).toBool(), true);  // stopped
    QVERIFY(finished.front().at(0).toString().contains(QStringLiteral("resumes")));
    QVERIFY(!std::filesystem::exists(p.resolvePath(p.search.runDir) + "/result.json"));
    QSignalSpy messages(&runner, &SearchRunner::message);
    QSignalSpy again(&runner, &SearchRunner::finished);
    QVERIFY(runner.start(p, job));
    QVERIFY(again.wait(120000));
    bool resumed = false;
    for (const auto& m : messages) resumed = resumed || m.front().toString().startsWith(QStringLiteral("resuming "));
    QVERIFY(resumed);
  }

  void withoutATrainedSupernetItFails() {
    QTemporaryDir dir;
    const Project p = test::tinyProjectIn(dir.path().toStdString(), 4);
    SearchPanel panel(p);
    panel.syntheticBox()->setChecked(true);
    QSignalSpy ended(&panel, &SearchPanel::runEnded);
    panel.startSearch();
    QVERIFY(ended.wait(60000));
    QVERIFY2(panel.statusText().startsWith(QStringLiteral("Search failed: ")) &&
                 panel.statusText().contains(QStringLiteral("automoe train")),
             qPrintable(panel.statusText()));
    QVERIFY(panel.startButton()->isEnabled());
  }
};

QTEST_MAIN(TestSearchRunner)
#include "test_search_runner.moc"
