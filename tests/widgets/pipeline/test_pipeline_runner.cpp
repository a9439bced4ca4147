// PipelineRunner on a tiny project with real (local) data: a run goes through the nine stages in
// order on a worker thread, their progress arriving as signals (training updates of the supernet
// and retraining stages with the updates each ends at, latency samples, search generations), and
// completes with the retrained model; a second run finds every stage up to date and runs none; a
// stop asked for from a supernet update ends the run as Stopped in that stage and the next start
// resumes it; a project that does not load fails with its file named.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <filesystem>

#include "pipeline/pipeline_runner.h"
#include "project/project.h"
#include "support/tiny_pipeline_project.h"
#include "util/atomic_file.h"

using namespace automoe;
using namespace automoe::widgets;

namespace {

const QStringList kStages = automoe::testing::pipelineStageList();
constexpr int kWaitMs = 240000;

// The stage names a spy's signals carried (name is argument 2 of the stage signals).
QStringList names(const QSignalSpy& spy) {
  QStringList out;
  for (const auto& args : spy) out << args.at(2).toString();
  return out;
}

PipelineResult resultOf(const QSignalSpy& finished) { return finished.front().front().value<PipelineResult>(); }

}  // namespace

class TestPipelineRunner final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  std::string m_root;
  nlohmann::json m_json;

  QString projectPath() const { return QString::fromStdString(m_root + "/project.json"); }
  void write(const nlohmann::json& j) { writeFileAtomically(m_root + "/project.json", j.dump(2)); }

 private Q_SLOTS:
  void initTestCase() {
    qputenv("AUTOMOE_TOKENIZER", AUTOMOE_TOKENIZER);
    m_root = m_dir.filePath("p").toStdString();
    m_json = testing::tinyPipelineProjectJson(m_root);
    write(m_json);
  }

  void runsEveryStageInOrderThenNone() {
    PipelineRunner runner;
    QSignalSpy started(&runner, &PipelineRunner::stageStarted);
    QSignalSpy done(&runner, &PipelineRunner::stageDone);
    QSignalSpy upToDate(&runner, &PipelineRunner::stageUpToDate);
    QSignalSpy steps(&runner, &PipelineRunner::stepDone);
    QSignalSpy samples(&runner, &PipelineRunner::latencySampleMeasured);
    QSignalSpy generations(&runner, &PipelineRunner::generationDone);
    QSignalSpy messages(&runner, &PipelineRunner::message);
    QSignalSpy finished(&runner, &PipelineRunner::finished);
    QSignalSpy failed(&runner, &PipelineRunner::failed);
    QVERIFY(runner.start(projectPath()));
    QVERIFY(runner.isRunning());
    QVERIFY(!runner.start(projectPath()));  // one at a time
    QVERIFY(finished.wait(kWaitMs) || !failed.isEmpty());
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.front().front().toString()));
    QVERIFY(!runner.isRunning());
    const PipelineResult r = resultOf(finished);
    QVERIFY2(r.status == PipelineStatus::Completed, r.message.c_str());
    QCOMPARE(names(started), kStages);
    QCOMPARE(names(done), kStages);
    QVERIFY(upToDate.isEmpty());
    for (const auto& args : started) {
      QCOMPARE(args.at(1).toInt(), 9);
      QCOMPARE(args.at(0).toInt(), static_cast<int>(kStages.indexOf(args.at(2).toString())));
      QCOMPARE(args.at(4).toString(), QString());  // nothing ran before: no reason to give
    }
    // 4 supernet updates of 4, then 3 retraining updates of 3.
    QCOMPARE(steps.size(), 7);
    for (int i = 0; i < steps.size(); ++i) {
      const auto s = steps.at(i).at(0).value<TrainStepStats>();
      QCOMPARE(s.step, i < 4 ? i + 1 : i - 3);
      QCOMPARE(steps.at(i).at(1).toLongLong(), i < 4 ? 4 : 3);
    }
    QCOMPARE(samples.size(), 12);
    QCOMPARE(samples.back().at(0).toInt(), 12);
    QCOMPARE(samples.back().at(1).toInt(), 12);
    QVERIFY(samples.back().at(2).toDouble() > 0);
    QCOMPARE(generations.size(), 1);
    QCOMPARE(generations.front().at(1).toInt(), 1);
    QVERIFY2(generations.front().at(2).toString().startsWith("generation 1/1"), qPrintable(generations.front().at(2).toString()));
    QVERIFY(messages.size() > 9);
    QVERIFY(std::filesystem::exists(r.modelDir + "/model_card.json"));
    QCOMPARE(r.statePath, m_root + "/runs/pipeline.json");

    QSignalSpy again(&runner, &PipelineRunner::finished);
    started.clear();
    done.clear();
    QVERIFY(runner.start(projectPath()));
    QVERIFY(again.wait(kWaitMs));
    QVERIFY(resultOf(again).status == PipelineStatus::Completed);
    QCOMPARE(names(upToDate), kStages);
    QVERIFY(started.isEmpty() && done.isEmpty());
  }

  // A changed training section starts the supernet over; a stop asked for at its first update ends
  // the run there, and the next start resumes the stage and completes.
  void stopInTheSupernetStageThenResume() {
    nlohmann::json j = m_json;
    j["training"]["max_updates"] = 6;
    write(j);
    Project p = Project::load(projectPath().toStdString());
    PipelineRunner runner;
    QSignalSpy started(&runner, &PipelineRunner::stageStarted);
    QSignalSpy finished(&runner, &PipelineRunner::finished);
    QSignalSpy steps(&runner, &PipelineRunner::stepDone);
    const auto stopOnce = connect(&runner, &PipelineRunner::stepDone, &runner, &PipelineRunner::requestStop);
    QVERIFY(runner.start(p));
    QVERIFY(finished.wait(kWaitMs));
    disconnect(stopOnce);
    const PipelineResult stopped = resultOf(finished);
    QVERIFY(stopped.status == PipelineStatus::Stopped);
    QCOMPARE(stopped.stage, std::string("supernet"));
    QVERIFY2(QString::fromStdString(stopped.message).contains("run the pipeline again"), stopped.message.c_str());
    QCOMPARE(names(started), QStringList({"supernet"}));
    QCOMPARE(started.front().at(4).toString(), QStringLiteral("inputs changed: starting over"));
    QVERIFY(steps.size() < 6);
    bool interrupted = false;
    for (const auto& s : pipelineStatus(p)) interrupted = interrupted || (s.name == "supernet" && s.state == PipelineStageState::Interrupted);
    QVERIFY(interrupted);

    started.clear();
    QSignalSpy again(&runner, &PipelineRunner::finished);
    QVERIFY(runner.start(p));
    QVERIFY(again.wait(kWaitMs));
    const PipelineResult r = resultOf(again);
    QVERIFY2(r.status == PipelineStatus::Completed, r.message.c_str());
    QCOMPARE(started.front().at(2).toString(), QStringLiteral("supernet"));
    QCOMPARE(started.front().at(4).toString(), QStringLiteral("resuming"));
    QCOMPARE(names(started), QStringList({"supernet", "search", "export", "retrain", "evaluate"}));
    for (const auto& s : pipelineStatus(p)) QVERIFY2(s.state == PipelineStageState::UpToDate, s.name.c_str());
    write(m_json);
  }

  void aProjectThatDoesNotLoadFails() {
    QTemporaryDir dir;
    const QString bad = dir.filePath("broken.json");
    nlohmann::json j = m_json;
    j["search_space"]["qkv_dim"] = "wide";
    writeFileAtomically(bad.toStdString(), j.dump(2));
    PipelineRunner runner;
    QSignalSpy failed(&runner, &PipelineRunner::failed);
    QSignalSpy finished(&runner, &PipelineRunner::finished);
    QVERIFY(runner.start(bad));
    QVERIFY(failed.wait(60000));
    const QString error = failed.front().front().toString();
    QVERIFY2(error.contains("broken.json") && error.contains("qkv_dim"), qPrintable(error));
    QVERIFY(finished.isEmpty());
    QVERIFY(!runner.isRunning());
  }
};

QTEST_MAIN(TestPipelineRunner)
#include "test_pipeline_runner.moc"
