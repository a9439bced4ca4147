// `automoe run PROJECT` as a user runs it, on a tiny project whose DDTP indexes are local files:
// every stage completes and prints the summary; a second run finds every stage up to date; an
// output rewritten by hand runs its stage again; a stage before another re-run makes the later
// one start over; a deleted output runs its stage again; a changed project section re-runs the
// stages that read it and the ones after them only.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/cli_runner.h"
#include "support/tiny_pipeline_project.h"
#include "util/atomic_file.h"
#include "util/json_reader.h"

using namespace automoe;

namespace {

const QStringList kStages = automoe::testing::pipelineStageList();

// The stages a run reported up to date, and the ones it ran.
QStringList upToDate(const QString& err) {
  QStringList out;
  for (const QString& s : kStages)
    if (err.contains(QRegularExpression("\\] " + s + ": [^\\n]* - up to date"))) out << s;
  return out;
}
QStringList ran(const QString& err) {
  QStringList out;
  for (const QString& s : kStages)
    if (err.contains(QRegularExpression("\\] " + s + ": done in "))) out << s;
  return out;
}

}  // namespace

class TestRunCli final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString m_root = m_dir.filePath("a");  // the project's folder (moved to "b" by the last test)
  QString m_project;
  nlohmann::json m_json;

  test::CliRun run(const QString& project) { return test::runCli({"run", project}); }
  QString at(const char* rel) const { return QDir(m_root).filePath(rel); }
  std::string file(const char* rel) const { return at(rel).toStdString(); }

 private Q_SLOTS:
  void initTestCase() {
    m_json = automoe::testing::tinyPipelineProjectJson(m_root.toStdString());
    m_project = at("project.json");
    writeFileAtomically(m_project.toStdString(), m_json.dump(2));
  }

  void runsEveryStageThenNone() {
    const test::CliRun first = run(m_project);
    QVERIFY2(first.code == 0, qPrintable(first.err));
    QCOMPARE(ran(first.err), kStages);
    QVERIFY2(first.out.contains("== chosen subnet") && first.out.contains("BLEU"), qPrintable(first.out));
    const test::CliRun second = run(m_project);
    QVERIFY2(second.code == 0, qPrintable(second.err));
    QCOMPARE(upToDate(second.err), kStages);
    QCOMPARE(ran(second.err), QStringList());
    // The same project named from its own folder: the recorded files are the same files.
    const test::CliRun fromInside =
        test::runCli({"run", "project.json"}, {}, 300000, QProcessEnvironment::systemEnvironment(), m_root);
    QVERIFY2(fromInside.code == 0, qPrintable(fromInside.err));
    QCOMPARE(upToDate(fromInside.err), kStages);
  }

  // A stage whose training diverges ends the pipeline with exit 5 and says what to change; running
  // it again as it is would only diverge again.
  void aDivergingStageSaysWhatToChange() {
    const QString folder = m_dir.filePath("div");
    std::filesystem::create_directories((folder + "/ddtp").toStdString());
    for (const char* f : {"Translation-en", "Translation-de"})
      std::filesystem::copy_file(file("ddtp") + "/" + f, (folder + "/ddtp/" + f).toStdString());
    nlohmann::json j = m_json;
    j["training"]["lr"] = {{"schedule", "constant"}, {"max", 1e9}, {"warmup_updates", 0}};
    j["training"]["max_bad_steps"] = 2;
    j["training"]["max_updates"] = 50;
    writeFileAtomically((folder + "/project.json").toStdString(), j.dump(2));
    const test::CliRun r = run(folder + "/project.json");
    QCOMPARE(r.code, 5);
    QCOMPARE(ran(r.err), QStringList({"corpus", "tokenizer"}));  // the supernet stage did not finish
    QVERIFY2(r.err.contains("automoe run: stage 'supernet' diverged (the loss or its gradient was not finite); lower the "
                            "learning rate (training.lr.max) or set training.clip_norm in the project, then run the "
                            "pipeline again (the stage starts over with them)"),
             qPrintable(r.err));
  }

  // A second pipeline on a project whose pipeline is running (here: its lock held by util-linux's
  // flock) is refused before it reads or writes anything.
  void aRunningPipelineIsNotJoined() {
    const QString lock = at("runs/.pipeline.json.lock");
    std::filesystem::create_directories(file("runs"));
    QProcess holder;
    holder.start("bash", {"-c", "exec 9>>\"$0\"; flock 9; exec sleep 60", lock});  // one process holds it
    QVERIFY(holder.waitForStarted());
    test::CliRun r;
    for (int i = 0; i < 100; ++i) {  // until flock holds it
      r = run(m_project);
      if (r.code == 2) break;
      QTest::qWait(50);
    }
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("runs/pipeline.json: in use by another process; wait for it to finish or stop it, then run again"),
             qPrintable(r.err));
    QCOMPARE(ran(r.err), QStringList());
    holder.kill();
    QVERIFY(holder.waitForFinished());
    const test::CliRun after = run(m_project);
    QVERIFY2(after.code == 0, qPrintable(after.err));
    QCOMPARE(upToDate(after.err), kStages);
  }

  void moveInTimeAloneKeepsStagesUpToDate() {
    // A touched (or copied) file with the same bytes is not a change.
    const std::string checkpoint = file("runs/supernet/checkpoint_last.pt");
    std::filesystem::last_write_time(checkpoint, std::filesystem::last_write_time(checkpoint) + std::chrono::hours(1));
    const test::CliRun r = run(m_project);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(upToDate(r.err), kStages);
  }

  void outputRewrittenByHandRunsItsStageAgain() {
    // An evaluation on 2 sentences run by hand replaces the pipeline's (4 sentences).
    const QString model = at("runs/retrain/model");
    const test::CliRun byHand = test::runCli({"evaluate", m_project, "--model", model, "--max-sentences", "2"});
    QVERIFY2(byHand.code == 0, qPrintable(byHand.err));
    const test::CliRun r = run(m_project);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains("evaluation_test.json changed since it ran: running it again"), qPrintable(r.err));
    QCOMPARE(ran(r.err), QStringList({"evaluate"}));
    const std::string eval = file("runs/retrain/model/evaluation_test.json");
    const nlohmann::json j = parseJsonText(readTextFile(eval), eval);
    QCOMPARE(j.at("result").at("sentences").get<int>(), 4);
  }

  void upstreamChangeMakesLaterStagesStartOver() {
    // Two more latency samples measured by hand: the predictor, and everything after it, read the
    // old dataset.
    const test::CliRun byHand = test::runCli({"latency", "dataset", m_project, "--samples", "14"});
    QVERIFY2(byHand.code == 0, qPrintable(byHand.err));
    const test::CliRun r = run(m_project);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains(".jsonl changed since it ran: running it again"), qPrintable(r.err));
    QVERIFY2(r.err.contains("which it read, changed since it ran: starting over"), qPrintable(r.err));
    QCOMPARE(upToDate(r.err), QStringList({"corpus", "tokenizer", "supernet"}));
    QCOMPARE(ran(r.err), QStringList({"latency", "predictor", "search", "export", "retrain", "evaluate"}));
    const test::CliRun again = run(m_project);
    QCOMPARE(upToDate(again.err), kStages);
  }

  void changedSectionRerunsItsStagesOnly() {
    nlohmann::json j = m_json;
    j["latency"]["predictor"]["steps"] = 21;
    writeFileAtomically(m_project.toStdString(), j.dump(2));
    const test::CliRun r = run(m_project);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(upToDate(r.err), QStringList({"corpus", "tokenizer", "supernet", "latency"}));
    QCOMPARE(ran(r.err), QStringList({"predictor", "search", "export", "retrain", "evaluate"}));
    writeFileAtomically(m_project.toStdString(), m_json.dump(2));  // and back
    QCOMPARE(ran(run(m_project).err), QStringList({"predictor", "search", "export", "retrain", "evaluate"}));
  }

  void movedProjectFolderStaysUpToDate() {
    // The recorded files are named relative to the project's folder.
    const QString moved = m_dir.filePath("b");
    std::filesystem::rename(m_root.toStdString(), moved.toStdString());
    m_root = moved;
    const test::CliRun r = run(at("project.json"));
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(upToDate(r.err) == kStages, qPrintable(r.err));
  }
};

QTEST_GUILESS_MAIN(TestRunCli)
#include "test_run_cli.moc"
