// `automoe train` as a user runs it: trains, is stopped by SIGINT with a checkpoint and exit 130,
// resumes from it, exits 4 keeping the last checkpoint when the disk is full, runs data-parallel
// ranks that stop together, refuses bad flags and a vocabulary that does not match the data.
#include <QtTest/QtTest>

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "project/project.h"
#include "train/c10d_collective.h"
#include "train/checkpoint.h"
#include "util/atomic_file.h"
#include "util/json_reader.h"

using namespace automoe;

class TestTrainCli final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString m_project;

  // A process's children, oldest first (Linux: /proc/PID/task/TID/children).
  static std::vector<pid_t> childrenOf(pid_t pid) {
    std::vector<pid_t> out;
    std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
    for (long c; in >> c;) out.push_back(static_cast<pid_t>(c));
    std::sort(out.begin(), out.end());
    return out;
  }

  // The last update metrics.jsonl has a training line for (0 if none).
  static int64_t lastLoggedStep(const QString& runDir) {
    std::ifstream in((runDir + "/metrics.jsonl").toStdString());
    int64_t last = 0;
    for (std::string l; std::getline(in, l);) {
      const auto j = nlohmann::json::parse(l, nullptr, /*allow_exceptions=*/false);
      if (j.is_object() && j.value("type", "") == "train") last = std::max(last, j.value("step", int64_t{0}));
    }
    return last;
  }

  int run(const QStringList& args, QString* err = nullptr, int timeoutMs = 240000) {
    QProcess p;
    p.start(AUTOMOE_CLI, args);
    p.waitForFinished(timeoutMs);
    if (err) *err = QString::fromUtf8(p.readAllStandardError());
    return p.exitCode();
  }

 private Q_SLOTS:
  void initTestCase() {
    auto j = Project::load(AUTOMOE_SOURCE_DIR "/projects/demo/project.json").toJson();
    j["model"]["vocab_size"] = 64;  // synthetic corpus: 4 specials + 2 x 30 word types
    j["data"]["max_tokens"] = 256;
    j["data"]["vocab_size"] = 64;
    j["training"] = {{"max_updates", 8}, {"log_every", 2}, {"validate_every", 4},
                     {"checkpoint_every", 4}, {"valid_batches", 2}, {"reference_subnets", 1},
                     {"run_dir", "run"}};
    m_project = m_dir.filePath("project.json");
    writeFileAtomically(m_project.toStdString(), j.dump(2));
  }

  void trainsAndLogs() {
    QString err;
    QCOMPARE(run({"train", m_project, "--synthetic"}, &err), 0);
    QVERIFY2(err.contains("update 8/8"), qPrintable(err));
    // Each progress line says how long the rest takes at the pace so far; nothing at the end.
    const QRegularExpression progress("^update (\\d+)/8 .* tgt tok/s  ((\\d+)s|\\d+m\\d\\ds) left  enc ",
                                      QRegularExpression::MultilineOption);
    QStringList steps;
    for (auto it = progress.globalMatch(err); it.hasNext();) {
      const auto m = it.next();
      steps << m.captured(1);
      if (m.captured(1) == "8") QCOMPARE(m.captured(2), QString("0s"));
    }
    QCOMPARE(steps, QStringList({"1", "2", "4", "6", "8"}));
    const std::string ckpt = m_dir.filePath("run/checkpoint_last.pt").toStdString();
    QCOMPARE(Checkpoint::readMeta(ckpt).at("step").get<int64_t>(), int64_t(8));
    std::ifstream metrics(m_dir.filePath("run/metrics.jsonl").toStdString());
    int lines = 0;
    for (std::string l; std::getline(metrics, l);) lines += !nlohmann::json::parse(l).empty();
    QVERIFY(lines >= 6);  // updates 1, 2, 4, 6, 8 and two validations
    // Running again resumes from update 8 and has nothing left to do.
    QCOMPARE(run({"train", m_project, "--synthetic"}, &err), 0);
    QVERIFY2(err.contains("resuming") && err.contains("update 8"), qPrintable(err));
    QVERIFY2(!err.contains("training options differ"), qPrintable(err));
  }

  void changedModelOptionsAreNotedOnResume() {
    // A copy of trainsAndLogs' finished run, resumed with other dropout and a per-layer rule.
    const std::filesystem::path from = m_dir.filePath("run").toStdString(), to = m_dir.filePath("run_model").toStdString();
    std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
    auto j = nlohmann::json::parse(std::ifstream(m_project.toStdString()));
    const double dropout = j["model"]["dropout"].get<double>();
    j["model"]["dropout"] = 0.25;
    j["model"]["routers"] = {{"switch_top1", {{"capacity_factor", 2.0}}}};
    j["model"]["layer_routing"] = {{{"stack", "encoder"}, {"expert_output_masking", {{"eom", 0.1}}}}};
    const QString changed = m_dir.filePath("project_model.json");
    writeFileAtomically(changed.toStdString(), j.dump(2));
    QString err;
    QCOMPARE(run({"train", changed, "--synthetic", "--run-dir", QString::fromStdString(to.string())}, &err), 0);
    QVERIFY2(err.contains("note: model options differ from the checkpoint's (") &&
                 err.contains(QString("dropout %1 -> 0.25").arg(dropout)) &&
                 err.contains("routers.switch_top1.capacity_factor 1.25 -> 2.0") &&
                 err.contains("layer_routing (unset) -> [{") && !err.contains("training options differ"),
             qPrintable(err));
  }

  void sigintSavesAndExits130ThenResumes() {
    QProcess p;
    p.start(AUTOMOE_CLI, {"train", m_project, "--synthetic", "--max-updates", "100000", "--run-dir",
                          m_dir.filePath("sig"), "--fresh"});
    QVERIFY(p.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(m_dir.filePath("sig/run.json")), 60000);
    QTest::qWait(1500);
    ::kill(static_cast<pid_t>(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(60000));
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 130,
             qPrintable(QString("exit status %1, code %2, stderr:\n%3")
                            .arg(p.exitStatus())
                            .arg(p.exitCode())
                            .arg(QString::fromLocal8Bit(p.readAllStandardError().right(3000)))));
    const std::string ckpt = m_dir.filePath("sig/checkpoint_last.pt").toStdString();
    const int64_t stoppedAt = Checkpoint::readMeta(ckpt).at("step").get<int64_t>();
    QVERIFY(stoppedAt >= 1);
    QString err;
    QCOMPARE(run({"train", m_project, "--synthetic", "--max-updates", QString::number(stoppedAt + 2),
                  "--run-dir", m_dir.filePath("sig")}, &err), 0);
    QCOMPARE(Checkpoint::readMeta(ckpt).at("step").get<int64_t>(), stoppedAt + 2);
    // The shorter run changes the schedule's length: said, not silently done.
    QVERIFY2(err.contains("note: training options differ") &&
                 err.contains("max_updates 100000 -> " + QString::number(stoppedAt + 2)),
             qPrintable(err));
  }

  // Two ranks as a user starts them: they train, record the world size, stop together on a
  // SIGTERM sent to the launcher alone (rank 0 saves) and resume; a rank that dies ends the run.
  // A disk that cannot take the next checkpoint (a file-size limit, `ulimit -f`): exit 4 with a
  // message naming the file, the reason and the update a run resumes from; the checkpoint before
  // stays, and the next run resumes from it (this was an abort: LibTorch's file writer throws from
  // a destructor).
  // A checkpoint damaged after it was written: exit 2 naming the file and the member whose CRC-32
  // fails, with the way out; --fresh starts over.
  void aDamagedCheckpointIsRefusedWithTheWayOut() {
    const QString runDir = m_dir.filePath("damaged");
    QCOMPARE(run({"train", m_project, "--synthetic", "--max-updates", "2", "--run-dir", runDir, "--fresh"}), 0);
    const QString checkpoint = runDir + "/checkpoint_last.pt";
    QFile f(checkpoint);
    QVERIFY(f.open(QIODevice::ReadWrite));
    QByteArray bytes = f.readAll();
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x08);
    f.seek(0);
    f.write(bytes);
    f.close();
    QString err;
    QCOMPARE(run({"train", m_project, "--synthetic", "--max-updates", "4", "--run-dir", runDir}, &err), 2);
    QVERIFY2(err.startsWith("automoe: " + checkpoint + ": not a readable checkpoint (corrupt or truncated): "), qPrintable(err));
    QVERIFY2(err.contains("does not match its CRC-32") || err.contains("its header"), qPrintable(err));
    QVERIFY2(err.trimmed().endsWith("; --fresh starts the run over (replacing it)"), qPrintable(err));
    QCOMPARE(run({"train", m_project, "--synthetic", "--max-updates", "4", "--run-dir", runDir, "--fresh"}, &err), 0);
    QCOMPARE(Checkpoint::readMeta(checkpoint.toStdString()).at("step").get<int64_t>(), int64_t(4));
  }

  // A run whose loss stops being finite (a learning rate of 1e9) ends with its own exit code, 5,
  // not the internal error's 1, and says why.
  void aDivergedRunExits5() {
    auto j = parseJsonText(readTextFile(m_project.toStdString()), "project");
    j["training"]["lr"] = {{"schedule", "constant"}, {"max", 1e9}, {"warmup_updates", 0}};
    j["training"]["max_bad_steps"] = 2;
    j["training"]["max_updates"] = 50;
    const QString project = m_dir.filePath("diverging.json");
    writeFileAtomically(project.toStdString(), j.dump(2));
    QString err;
    QCOMPARE(run({"train", project, "--synthetic", "--run-dir", m_dir.filePath("diverged"), "--fresh"}, &err), 5);
    QVERIFY2(err.contains("non-finite loss, skipped (2 in a row)"), qPrintable(err));
  }

  // A second training started on a run folder that one is training in is refused, naming the
  // first one's pid, before it touches anything; once the first has stopped, it resumes.
  void aBusyRunFolderIsRefused() {
    const QString runDir = m_dir.filePath("busy");
    QProcess first;
    first.start(AUTOMOE_CLI, {"train", m_project, "--synthetic", "--max-updates", "100000", "--run-dir", runDir, "--fresh"});
    QVERIFY(first.waitForStarted());
    first.setReadChannel(QProcess::StandardError);  // progress goes there
    QString seen;
    while (!seen.contains("update 1/") && first.waitForReadyRead(60000)) seen += QString::fromUtf8(first.readAllStandardError());
    QVERIFY2(seen.contains("update 1/"), qPrintable(seen));
    QString err;
    QCOMPARE(run({"train", m_project, "--synthetic", "--max-updates", "4", "--run-dir", runDir, "--fresh"}, &err), 2);
    QVERIFY2(err.contains("automoe: " + runDir + ": in use by another process (pid " + QString::number(first.processId()) +
                          "); wait for it to finish or stop it, then run again"),
             qPrintable(err));
    // Data-parallel too, before any rank starts.
    QCOMPARE(run({"train", m_project, "--synthetic", "--world-size", "2", "--max-updates", "4", "--run-dir", runDir}, &err), 2);
    QVERIFY2(err.contains("automoe: " + runDir + ": in use by another process (pid " + QString::number(first.processId())),
             qPrintable(err));
    QVERIFY2(!err.contains("data-parallel"), qPrintable(err));
    ::kill(static_cast<pid_t>(first.processId()), SIGINT);
    QVERIFY(first.waitForFinished(120000));
    QCOMPARE(first.exitCode(), 130);
    const int64_t stoppedAt = Checkpoint::readMeta((runDir + "/checkpoint_last.pt").toStdString()).at("step").get<int64_t>();
    QCOMPARE(run({"train", m_project, "--synthetic", "--max-updates", QString::number(stoppedAt + 1), "--run-dir", runDir}, &err), 0);
    QVERIFY2(err.contains("resuming"), qPrintable(err));
  }

  void aFullDiskExits4KeepingTheLastCheckpoint() {
    const QString runDir = m_dir.filePath("full");
    QCOMPARE(run({"train", m_project, "--synthetic", "--max-updates", "4", "--run-dir", runDir, "--fresh"}), 0);
    const QString checkpoint = runDir + "/checkpoint_last.pt";
    const qint64 bytes = QFileInfo(checkpoint).size();
    QProcess p;
    p.start("bash", {"-c", QString("ulimit -f %1; exec \"$0\" \"$@\"").arg(bytes / 2048), AUTOMOE_CLI, "train",
                     m_project, "--synthetic", "--max-updates", "8", "--run-dir", runDir});
    QVERIFY(p.waitForFinished(240000));
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QVERIFY2(p.exitCode() == 4, qPrintable(err));
    QVERIFY2(err.contains("automoe: " + checkpoint + ": cannot write: File too large (a file there before is "
                          "unchanged); training stopped at update 8, a run resumes from update 4"),
             qPrintable(err));
    QCOMPARE(Checkpoint::readMeta(checkpoint.toStdString()).at("step").get<int64_t>(), int64_t(4));
    QCOMPARE(QDir(runDir).entryList({"*.tmp*"}, QDir::Files), QStringList());
    QString again;
    QCOMPARE(run({"train", m_project, "--synthetic", "--max-updates", "8", "--run-dir", runDir}, &again), 0);
    QVERIFY2(again.contains("at update 4") && again.contains("update 8/8"), qPrintable(again));
  }

  void dataParallelRanksStopTogetherAndResume() {
    if (!C10dCollective::glooCompiledIn()) QSKIP("this build has no Gloo backend");
    QString err;
    const QString dp = m_dir.filePath("dp");
    QCOMPARE(run({"train", m_project, "--synthetic", "--world-size", "2", "--max-updates", "3", "--run-dir", dp,
                  "--fresh"}, &err), 0);
    QVERIFY2(err.contains("data-parallel: 2 ranks over c10d/gloo"), qPrintable(err));
    QCOMPARE(Checkpoint::readMeta((dp + "/checkpoint_last.pt").toStdString()).at("step").get<int64_t>(), int64_t(3));
    const auto runJson = nlohmann::json::parse(readTextFile((dp + "/run.json").toStdString()));
    QCOMPARE(runJson["provenance"]["world_size"].get<int>(), 2);

    const QString sig = m_dir.filePath("dpsig");
    QProcess p;
    p.start(AUTOMOE_CLI, {"train", m_project, "--synthetic", "--world-size", "2", "--max-updates", "100000",
                          "--run-dir", sig, "--fresh"});
    QVERIFY(p.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(sig + "/run.json"), 60000);
    QTest::qWait(1500);
    ::kill(static_cast<pid_t>(p.processId()), SIGTERM);  // the launcher only, not its process group
    QVERIFY(p.waitForFinished(60000));
    const QString out = QString::fromLocal8Bit(p.readAllStandardOutput() + p.readAllStandardError().right(3000));
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 130 && out.contains("checkpoint saved"),
             qPrintable(QString("exit code %1, output:\n%2").arg(p.exitCode()).arg(out)));
    const std::string ckpt = (sig + "/checkpoint_last.pt").toStdString();
    const int64_t stoppedAt = Checkpoint::readMeta(ckpt).at("step").get<int64_t>();
    QVERIFY(stoppedAt >= 1);
    QCOMPARE(run({"train", m_project, "--synthetic", "--world-size", "2", "--max-updates",
                  QString::number(stoppedAt + 2), "--run-dir", sig}, &err), 0);
    QVERIFY2(err.contains("resuming"), qPrintable(err));
    QCOMPARE(Checkpoint::readMeta(ckpt).at("step").get<int64_t>(), stoppedAt + 2);

    // SIGTERM to rank 1 alone: rank 0, which got none, stops at the same update and saves.
    QProcess r;
    r.start(AUTOMOE_CLI, {"train", m_project, "--synthetic", "--world-size", "2", "--max-updates", "100000",
                          "--run-dir", sig});
    QVERIFY(r.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(
        nlohmann::json::parse(readTextFile((sig + "/run.json").toStdString())).value("resumed_at_step", 0) ==
            stoppedAt + 2, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(lastLoggedStep(sig) >= stoppedAt + 4, 60000);  // log_every 2
    const std::vector<pid_t> resumed = childrenOf(static_cast<pid_t>(r.processId()));
    QCOMPARE(resumed.size(), size_t(2));
    ::kill(resumed[1], SIGTERM);
    QVERIFY(r.waitForFinished(60000));
    const QString said = QString::fromLocal8Bit(r.readAllStandardOutput());
    QVERIFY2(r.exitCode() == 130 && said.contains("checkpoint saved"),
             qPrintable(said + QString::fromLocal8Bit(r.readAllStandardError().right(3000))));
    QVERIFY(Checkpoint::readMeta(ckpt).at("step").get<int64_t>() >= lastLoggedStep(sig));

    // Rank 1 killed outright: the launcher ends rank 0 too and reports rank 1's end.
    QProcess q;
    q.start(AUTOMOE_CLI, {"train", m_project, "--synthetic", "--world-size", "2", "--max-updates", "100000",
                          "--run-dir", m_dir.filePath("dpkill"), "--fresh"});
    QVERIFY(q.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(m_dir.filePath("dpkill/run.json")), 60000);
    const std::vector<pid_t> ranks = childrenOf(static_cast<pid_t>(q.processId()));
    QCOMPARE(ranks.size(), size_t(2));
    ::kill(ranks[1], SIGKILL);
    QVERIFY(q.waitForFinished(120000));
    QCOMPARE(q.exitCode(), 128 + SIGKILL);
    QVERIFY(QString::fromLocal8Bit(q.readAllStandardError()).contains("stopping the other ranks"));
    QVERIFY(::kill(ranks[0], 0) != 0);  // rank 0 is gone too (reaped by the launcher)
  }

  void refusesBadInput() {
    QString err;
    QCOMPARE(run({"train", m_project, "--synthetic", "--precision", "fp8"}, &err), 2);
    QVERIFY(err.contains("--precision"));
    QCOMPARE(run({"train", m_project, "--synthetic", "--max-updates", "0"}, &err), 2);
    // A bad data-parallel backend is refused once, before any rank starts.
    QCOMPARE(run({"train", m_project, "--synthetic", "--world-size", "2", "--backend", "mpi"}, &err), 2);
    // (stderr may also carry the launcher's one-line BLAS kernel choice, made before any option is read)
    QVERIFY2(err.contains("mpi") && err.count("option --backend") == 1, qPrintable(err));
    auto j = nlohmann::json::parse(readTextFile(m_project.toStdString()));
    j["training"]["sampling"] = "random";
    const QString bad = m_dir.filePath("bad.json");
    writeFileAtomically(bad.toStdString(), j.dump());
    QCOMPARE(run({"train", bad, "--synthetic"}, &err), 2);
    QVERIFY2(err.contains("field 'training.sampling'"), qPrintable(err));
    j = nlohmann::json::parse(readTextFile(m_project.toStdString()));
    j["training"]["cpu_gemm"] = "mkl";
    writeFileAtomically(bad.toStdString(), j.dump());
    QCOMPARE(run({"train", bad, "--synthetic"}, &err), 2);
    QVERIFY2(err.contains("field 'training.cpu_gemm'") && err.contains("mkl"), qPrintable(err));
    j = nlohmann::json::parse(readTextFile(m_project.toStdString()));
    j["model"]["vocab_size"] = 63;
    writeFileAtomically(bad.toStdString(), j.dump());
    QCOMPARE(run({"train", bad, "--synthetic"}, &err), 2);
    QVERIFY2(err.contains("model.vocab_size"), qPrintable(err));
  }
};

QTEST_GUILESS_MAIN(TestTrainCli)
#include "test_train_cli.moc"
