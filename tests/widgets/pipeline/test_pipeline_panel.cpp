// The Pipeline tab on a tiny project with real (local) data: before any run the table lists the
// nine stages, not run; *Run pipeline* runs them with the running stage marked in the table and its
// progress in a line, and the table then shows every stage up to date with its duration, the
// status line the retrained model's folder (modelReady); a second run runs nothing; a stop from a
// supernet update leaves the stage "interrupted: resumes" and the next run resumes it; a changed
// project section shows the stages that read it and those after them as changed; a rewritten
// output names its file; a damaged state file is named in the status line; *Trial run* runs the
// trial project, whose stages the table then shows.
#include <QCheckBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <filesystem>

#include "pipeline/pipeline_panel.h"
#include "pipeline/pipeline_runner.h"
#include "pipeline/pipeline_stage_table.h"
#include "project/project.h"
#include "support/tiny_pipeline_project.h"
#include "util/atomic_file.h"
#include "util/json_reader.h"

using namespace automoe;
using namespace automoe::widgets;

namespace {

const QStringList kStages = automoe::testing::pipelineStageList();
constexpr int kWaitMs = 240000;

// Runs the panel's pipeline to its end, as a click on Run pipeline does.
bool runToEnd(PipelinePanel& panel) {
  QSignalSpy running(&panel, &PipelinePanel::runningChanged);
  QTest::mouseClick(panel.runButton(), Qt::LeftButton);
  if (running.size() != 1 || !running.front().front().toBool()) return false;
  return running.wait(kWaitMs) && !running.back().front().toBool() && !panel.isRunning();
}

}  // namespace

class TestPipelinePanel final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  std::string m_root;
  nlohmann::json m_json;

  Project project() const { return Project::load(m_root + "/project.json"); }
  void write(const nlohmann::json& j) { writeFileAtomically(m_root + "/project.json", j.dump(2)); }
  static QStringList states(const PipelinePanel& panel) {
    QStringList out;
    for (const QString& s : kStages) out << panel.stateText(s);
    return out;
  }
  static QStringList repeat(const QString& text, int n) {
    QStringList out;
    for (int i = 0; i < n; ++i) out << text;
    return out;
  }

 private Q_SLOTS:
  void initTestCase() {
    qputenv("AUTOMOE_TOKENIZER", AUTOMOE_TOKENIZER);
    m_root = m_dir.filePath("p").toStdString();
    m_json = testing::tinyPipelineProjectJson(m_root);  // ddtp_dir relative: the trial resolves it here
    write(m_json);
  }

  void beforeAnyRunEveryStageIsNotRun() {
    PipelinePanel panel(project());
    PipelineStageTable* table = panel.stageTable();
    QCOMPARE(table->objectName(), QStringLiteral("pipelineStages"));
    QCOMPARE(table->rowCount(), 9);
    for (int row = 0; row < 9; ++row) QCOMPARE(table->stageName(row), kStages[row]);
    QVERIFY2(table->item(2, PipelineStageTable::kStageColumn)->text().contains("train the SuperTransformer"),
             qPrintable(table->item(2, 0)->text()));
    QCOMPARE(states(panel), repeat("not run", 9));
    QCOMPARE(panel.progressText(), QStringLiteral("0 of 9 stages up to date; a run starts with corpus (not run)"));
    QCOMPARE(panel.runButton()->objectName(), QStringLiteral("runPipelineButton"));
    QCOMPARE(panel.stopButton()->objectName(), QStringLiteral("stopPipelineButton"));
    QCOMPARE(panel.trialBox()->objectName(), QStringLiteral("trialRunCheck"));
    QCOMPARE(panel.logView()->objectName(), QStringLiteral("pipelineLog"));
    QVERIFY(panel.logView()->isReadOnly());
    QCOMPARE(panel.logView()->maximumBlockCount(), PipelinePanel::kLogLines);
    QVERIFY(panel.runButton()->isEnabled() && !panel.stopButton()->isEnabled());
  }

  void aRunMarksTheRunningStageAndEndsUpToDate() {
    PipelinePanel panel(project());
    QSignalSpy ready(&panel, &PipelinePanel::modelReady);
    // What the table and the progress line say as each stage starts, and during training.
    QStringList runningStates, trainingProgress;
    QList<int> runningRows;
    connect(panel.runner(), &PipelineRunner::stageStarted, &panel, [&](int, int, const QString& name) {
      runningRows << panel.stageTable()->runningRow();
      runningStates << panel.stateText(name);
    });
    connect(panel.runner(), &PipelineRunner::stepDone, &panel, [&] { trainingProgress << panel.progressText(); });
    QSignalSpy running(&panel, &PipelinePanel::runningChanged);
    QTest::mouseClick(panel.runButton(), Qt::LeftButton);
    QVERIFY(panel.isRunning());
    QVERIFY(!panel.runButton()->isEnabled() && panel.stopButton()->isEnabled() && !panel.trialBox()->isEnabled());
    QCOMPARE(running.size(), 1);  // true, at once
    QCOMPARE(running.front().front().toBool(), true);
    QVERIFY(running.wait(kWaitMs));
    QCOMPARE(running.back().front().toBool(), false);
    QVERIFY2(panel.statusText().startsWith("Pipeline complete in "), qPrintable(panel.statusText()));
    QCOMPARE(runningRows, QList<int>({0, 1, 2, 3, 4, 5, 6, 7, 8}));
    QCOMPARE(runningStates, repeat("running", 9));
    QVERIFY(!trainingProgress.isEmpty());
    QCOMPARE(trainingProgress.front().left(29), QStringLiteral("[3/9] supernet: update 1/4, l"));
    QVERIFY2(trainingProgress.back().startsWith("[8/9] retrain: update 3/3, loss "), qPrintable(trainingProgress.back()));

    QCOMPARE(panel.stageTable()->runningRow(), -1);
    QCOMPARE(ready.size(), 1);
    const QString model = ready.front().front().toString();
    QVERIFY(std::filesystem::exists(model.toStdString() + "/model_card.json"));
    QVERIFY2(panel.statusText().startsWith("Pipeline complete in ") && panel.statusText().endsWith(model),
             qPrintable(panel.statusText()));
    QCOMPARE(states(panel), repeat("up to date", 9));
    for (int row = 0; row < 9; ++row) {
      QVERIFY(panel.stageTable()->item(row, PipelineStageTable::kSecondsColumn)->text().endsWith(" s"));
      QVERIFY(!panel.stageTable()->item(row, PipelineStageTable::kFinishedColumn)->text().isEmpty());
    }
    QCOMPARE(panel.progressText(), QStringLiteral("All 9 stages up to date: a run has nothing to do"));
    QVERIFY(panel.logText().contains("[1/9] corpus: build the parallel corpus"));
    QVERIFY(panel.logText().contains("[9/9] evaluate: done in "));
    QVERIFY(panel.logText().contains("generation 1/1"));
    QVERIFY(panel.runButton()->isEnabled() && !panel.stopButton()->isEnabled());

    // Again: nothing to do.
    const int before = static_cast<int>(panel.logText().count(QStringLiteral("done in")));
    QVERIFY(runToEnd(panel));
    QCOMPARE(panel.logText().count(QStringLiteral("done in")), before);
    QCOMPARE(panel.logText().count(QStringLiteral(" - up to date")), 9);
    QCOMPARE(ready.size(), 2);
    QCOMPARE(states(panel), repeat("up to date", 9));
  }

  // A changed training section: the supernet starts over; stopped at its first update it shows as
  // interrupted, and the next run resumes it.
  void aStoppedStageIsInterruptedAndResumes() {
    nlohmann::json j = m_json;
    j["training"]["max_updates"] = 6;
    write(j);
    PipelinePanel panel(project());
    QCOMPARE(states(panel), QStringList({"up to date", "up to date", "changed: starts over", "up to date", "up to date",
                                        "changed: starts over", "changed: starts over", "changed: starts over",
                                        "changed: starts over"}));
    QCOMPARE(panel.progressText(), QStringLiteral("4 of 9 stages up to date; a run starts with supernet (changed: starts over)"));
    QString runningState;
    connect(panel.runner(), &PipelineRunner::stageStarted, &panel,
            [&](int, int, const QString& name) { runningState = panel.stateText(name); });
    const auto stop = connect(panel.runner(), &PipelineRunner::stepDone, &panel, &PipelinePanel::stop);
    QVERIFY(runToEnd(panel));
    disconnect(stop);
    QCOMPARE(runningState, QStringLiteral("running (inputs changed: starting over)"));
    QVERIFY2(panel.statusText().startsWith("Stopped: stage 'supernet' was stopped"), qPrintable(panel.statusText()));
    QCOMPARE(panel.stateText("supernet"), QStringLiteral("interrupted: resumes"));
    QCOMPARE(panel.stateText("search"), QStringLiteral("changed: starts over"));

    QSignalSpy ready(&panel, &PipelinePanel::modelReady);
    QVERIFY(runToEnd(panel));
    QVERIFY2(ready.size() == 1, qPrintable(panel.statusText()));
    QCOMPARE(runningState, QStringLiteral("running (inputs changed: starting over)"));  // evaluate, the last
    QVERIFY(panel.logText().contains("[3/9] supernet: train the SuperTransformer (resuming)"));
    QCOMPARE(states(panel), repeat("up to date", 9));
    m_json = j;  // the project as the later tests find it
  }

  void aChangedSectionShowsItsStagesAndTheLaterOnesChanged() {
    PipelinePanel panel(project());
    QCOMPARE(states(panel), repeat("up to date", 9));
    nlohmann::json j = m_json;
    j["latency"]["predictor"]["steps"] = 21;
    write(j);
    panel.refresh();  // the file as it is now, as automoe run reads it
    QCOMPARE(states(panel).mid(0, 4), repeat("up to date", 4));
    QCOMPARE(states(panel).mid(4), repeat("changed: starts over", 5));
    QCOMPARE(panel.progressText(), QStringLiteral("4 of 9 stages up to date; a run starts with predictor (changed: starts over)"));
    write(m_json);
    panel.refresh();
    QCOMPARE(states(panel), repeat("up to date", 9));
  }

  void aRewrittenOutputIsNamed() {
    PipelinePanel panel(project());
    const std::string evaluation = m_root + "/runs/retrain/model/evaluation_test.json";
    const std::string kept = readTextFile(evaluation);
    writeFileAtomically(evaluation, kept + " ");
    panel.refresh();
    QCOMPARE(panel.stateText("evaluate"), QStringLiteral("outdated: runs/retrain/model/evaluation_test.json changed"));
    std::filesystem::remove(evaluation);
    panel.refresh();
    QCOMPARE(panel.stateText("evaluate"), QStringLiteral("outdated: runs/retrain/model/evaluation_test.json is missing"));
    QCOMPARE(states(panel).mid(0, 8), repeat("up to date", 8));
    writeFileAtomically(evaluation, kept);
    panel.refresh();
    QCOMPARE(states(panel), repeat("up to date", 9));
  }

  void aDamagedStateFileIsNamed() {
    const std::string state = m_root + "/runs/pipeline.json";
    const std::string kept = readTextFile(state);
    writeFileAtomically(state, "{\"format_version\": 99}");
    PipelinePanel panel(project());
    QVERIFY2(panel.statusText().startsWith("Cannot read the pipeline's state: ") &&
                 panel.statusText().contains(QString::fromStdString(state)),
             qPrintable(panel.statusText()));
    QCOMPARE(panel.stageTable()->rowCount(), 0);
    writeFileAtomically(state, kept);
    panel.refresh();
    QCOMPARE(panel.statusText(), QString());
    QCOMPARE(panel.stageTable()->rowCount(), 9);
  }

  // The trial run writes runs/trial/project.json and runs it; the table shows its stages.
  void aTrialRunRunsTheTrialProject() {
    PipelinePanel panel(project());
    panel.trialBox()->setChecked(true);
    QCOMPARE(panel.shownProjectPath(), QString::fromStdString(m_root + "/runs/trial/project.json"));
    QCOMPARE(states(panel), repeat("not run", 9));  // made in memory: nothing written yet
    QVERIFY(!std::filesystem::exists(m_root + "/runs/trial/project.json"));
    QSignalSpy ready(&panel, &PipelinePanel::modelReady);
    QVERIFY(runToEnd(panel));
    QVERIFY2(ready.size() == 1, qPrintable(panel.statusText()));
    QVERIFY2(ready.front().front().toString().startsWith(QString::fromStdString(m_root + "/runs/trial/")),
             qPrintable(ready.front().front().toString()));
    QVERIFY(std::filesystem::exists(m_root + "/runs/trial/project.json"));
    QVERIFY(std::filesystem::exists(m_root + "/runs/trial/runs/pipeline.json"));
    QCOMPARE(states(panel), repeat("up to date", 9));
    // The project's own stages, as they were: the trial shares the corpus and tokenizer only.
    panel.trialBox()->setChecked(false);
    QCOMPARE(panel.shownProjectPath(), QString::fromStdString(m_root + "/project.json"));
    QCOMPARE(states(panel), repeat("up to date", 9));
  }
};

QTEST_MAIN(TestPipelinePanel)
#include "test_pipeline_panel.moc"
