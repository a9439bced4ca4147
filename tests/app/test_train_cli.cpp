// `automoe train` as a user runs it: trains, is stopped by SIGINT with a checkpoint and exit 130,
// resumes from it, refuses bad flags and a vocabulary that does not match the data.
#include <QtTest/QtTest>

#include <QProcess>
#include <QTemporaryDir>
#include <csignal>
#include <fstream>

#include <nlohmann/json.hpp>

#include "project/project.h"
#include "train/checkpoint.h"
#include "util/atomic_file.h"

using namespace automoe;

class TestTrainCli final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString m_project;

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
    const std::string ckpt = m_dir.filePath("run/checkpoint_last.pt").toStdString();
    QCOMPARE(Checkpoint::readMeta(ckpt).at("step").get<int64_t>(), int64_t(8));
    std::ifstream metrics(m_dir.filePath("run/metrics.jsonl").toStdString());
    int lines = 0;
    for (std::string l; std::getline(metrics, l);) lines += !nlohmann::json::parse(l).empty();
    QVERIFY(lines >= 6);  // updates 1, 2, 4, 6, 8 and two validations
    // Running again resumes from update 8 and has nothing left to do.
    QCOMPARE(run({"train", m_project, "--synthetic"}, &err), 0);
    QVERIFY2(err.contains("resuming") && err.contains("update 8"), qPrintable(err));
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
