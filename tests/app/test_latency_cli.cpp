// `automoe latency ...` as a user runs it: measure, dataset (resumable, Ctrl-C keeps every
// sample and exits 130), train, predict; exit code 2 with a message naming the file and field or
// profile for every kind of bad input. No assertion on measured durations.
#include <QtTest/QtTest>

#include <QProcess>
#include <QTemporaryDir>

#include <cmath>
#include <csignal>

#include <nlohmann/json.hpp>

#include "arch/arch_config.h"
#include "latency/latency_dataset.h"
#include "latency/latency_predictor.h"
#include "project/project.h"
#include "support/tiny_space.h"
#include "util/atomic_file.h"

#include "support/cli_runner.h"
#include "util/huge_pages.h"
#include "util/openmp_wait.h"

using namespace automoe;

namespace {

using Run = test::CliRun;

Run cli(const QStringList& args) { return test::runCli(args); }

nlohmann::json tinyProject(int runs) {
  const ModelOptions m = test::tinyModelOptions();
  return {{"format_version", 1},
          {"name", "tiny"},
          {"seed", 3},
          {"search_space", test::tinySpace().toJson()},
          {"model", m.toJson()},
          {"hardware_profiles",
           {{{"name", "fast"}, {"src_len", 6}, {"tgt_len", 4}, {"beam", 2}, {"warmup", 0}, {"runs", 2}},
            {{"name", "slow"}, {"src_len", 6}, {"tgt_len", 8}, {"beam", 3}, {"warmup", 1}, {"runs", runs}}}},
          {"latency", {{"dataset_samples", 12}, {"predictor", {{"steps", 300}, {"hidden_dim", 32}}}}}};
}

}  // namespace

class TestLatencyCli final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString m_project, m_arch;

  QString writeFile(const QString& name, const std::string& text) {
    const QString path = m_dir.filePath(name);
    writeFileAtomically(path.toStdString(), text);
    return path;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_project = writeFile("project.json", tinyProject(40).dump(2));
    m_arch = writeFile("arch.json", test::tinySpace().sample(uint64_t{4}).toJson().dump());
  }

  void helpListsLatencyCommands() {
    const Run r = cli({"--help"});
    QCOMPARE(r.code, 0);
    for (const char* c : {"latency measure", "latency dataset", "latency train", "latency predict"})
      QVERIFY2(r.out.contains(c), c);
  }

  void measurePrintsTheMeasurement() {
    const Run text = cli({"latency", "measure", m_project, m_arch, "--profile", "fast"});
    QCOMPARE(text.code, 0);
    QVERIFY2(text.out.contains("latency") && text.out.contains("encoder") && text.out.contains("decoder"),
             qPrintable(text.out));
    QVERIFY(text.out.contains("fast"));
    const Run json = cli({"latency", "measure", m_project, m_arch, "--profile", "fast", "--runs", "3", "--json"});
    QCOMPARE(json.code, 0);
    const auto j = nlohmann::json::parse(json.out.toStdString());
    QCOMPARE(j.at("encoder_runs_ms").size(), size_t{3});
    QVERIFY(j.at("latency_ms").get<double>() > 0);
    QCOMPARE(j.at("profile").at("name").get<std::string>(), std::string("fast"));
    QCOMPARE(j.at("profile").at("runs").get<int>(), 3);
    QVERIFY(j.at("provenance").contains("torch_version"));
    QVERIFY(ArchConfig::fromJson(j.at("arch"), "out") == ArchConfig::loadFile(m_arch.toStdString()));
  }

  void heavyCommandsCapOpenMpSpinningUnlessTheUserChose() {
    // CTest runs this with OMP_NUM_THREADS=1 (no cap needed); the cases set what they test.
    auto openMpWait = [&](const QStringList& set) {
      QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
      for (const char* v : {"OMP_NUM_THREADS", "GOMP_SPINCOUNT", "OMP_WAIT_POLICY"}) env.remove(v);
      for (const QString& kv : set) env.insert(kv.section('=', 0, 0), kv.section('=', 1));
      const Run r = test::runCli({"latency", "measure", m_project, m_arch, "--profile", "fast", "--json"}, {}, 300000, env);
      if (r.code != 0) return "exit " + std::to_string(r.code) + ": " + r.err.toStdString();
      return nlohmann::json::parse(r.out.toStdString()).at("provenance").at("openmp_wait").get<std::string>();
    };
    QCOMPARE(openMpWait({}), "GOMP_SPINCOUNT=" + std::string(kOpenMpSpinCount));
    QCOMPARE(openMpWait({"GOMP_SPINCOUNT=77"}), std::string("GOMP_SPINCOUNT=77"));
    QCOMPARE(openMpWait({"OMP_WAIT_POLICY=passive"}), std::string("OMP_WAIT_POLICY=passive"));
    QCOMPARE(openMpWait({"OMP_NUM_THREADS=1"}), std::string("default"));
  }

  void heavyCommandsAskForHugePagesUnlessTheUserChose() {
    std::string allocator;
    auto heapPages = [&](const QStringList& set) {
      QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
      for (const char* v : {"GLIBC_TUNABLES", "AUTOMOE_HUGE_PAGES"}) env.remove(v);
      for (const QString& kv : set) env.insert(kv.section('=', 0, 0), kv.section('=', 1));
      const Run r = test::runCli({"latency", "measure", m_project, m_arch, "--profile", "fast", "--json"}, {}, 300000, env);
      if (r.code != 0) return "exit " + std::to_string(r.code) + ": " + r.err.toStdString();
      const auto prov = nlohmann::json::parse(r.out.toStdString()).at("provenance");
      allocator = prov.at("heap_allocator").get<std::string>();
      return prov.at("heap_pages").get<std::string>();
    };
    const std::string mode = transparentHugePageMode();
    const std::string thp = " (THP " + (mode.empty() ? std::string("unavailable") : mode) + ")";
    // glibc's tunable is asked for only where glibc's malloc serves the CLI (it links tcmalloc
    // where the build found it, and tcmalloc ignores glibc's tunables).
#ifdef AUTOMOE_TCMALLOC_PATH
    const bool tcmalloc = true;
#else
    const bool tcmalloc = false;
#endif
    const bool offered = (mode == "always" || mode == "madvise") && !tcmalloc;
    QCOMPARE(heapPages({}), (offered ? "glibc.malloc.hugetlb=1" : "default") + thp);  // restarted with it
    QCOMPARE(heapPages({"GLIBC_TUNABLES=glibc.malloc.hugetlb=0"}), "glibc.malloc.hugetlb=0" + thp);
    QCOMPARE(heapPages({"AUTOMOE_HUGE_PAGES=0"}), "default" + thp);
    QVERIFY2(allocator.rfind(tcmalloc ? "tcmalloc_minimal " : "glibc ", 0) == 0, allocator.c_str());
  }

  void datasetTrainPredict() {
    const std::string datasetPath = m_dir.filePath("runs/latency/fast.jsonl").toStdString();
    const Run d = cli({"latency", "dataset", m_project, "--profile", "fast"});  // 12 from the project
    QCOMPARE(d.code, 0);
    QVERIFY2(d.err.contains("[12/12]"), qPrintable(d.err));  // progress on stderr, with the time left
    QCOMPARE(d.err.count(QRegularExpression("^\\[\\d+/12\\] .*  (\\d+s|\\d+m\\d\\ds) left  enc ",
                                            QRegularExpression::MultilineOption)), 12);
    QVERIFY2(QRegularExpression("^\\[12/12\\] .*  0s left  enc ", QRegularExpression::MultilineOption).match(d.err).hasMatch(),
             qPrintable(d.err));
    QVERIFY2(d.out.contains("12 measured now"), qPrintable(d.out));
    QCOMPARE(LatencyDataset::load(datasetPath).samples().size(), size_t{12});
    const Run again = cli({"latency", "dataset", m_project, "--profile", "fast", "--samples", "12"});
    QCOMPARE(again.code, 0);
    QVERIFY2(again.out.contains("0 measured now, 12 of the plan already stored"), qPrintable(again.out));

    const Run t = cli({"latency", "train", m_project, "--profile", "fast"});
    QCOMPARE(t.code, 0);
    QVERIFY2(t.out.contains("held out") && t.out.contains("Kendall tau") && t.out.contains("MAPE"),
             qPrintable(t.out));
    const std::string stem = m_dir.filePath("runs/latency/fast.predictor").toStdString();
    QVERIFY(QFile::exists(QString::fromStdString(stem + ".pt")));
    QVERIFY(QFile::exists(QString::fromStdString(stem + ".json")));

    const Run p = cli({"latency", "predict", m_project, m_arch, "--profile", "fast", "--json"});
    QCOMPARE(p.code, 0);
    const double predicted = nlohmann::json::parse(p.out.toStdString()).at("predicted_latency_ms").get<double>();
    const LatencyPredictor inProcess = LatencyPredictor::load(stem, test::tinySpace());
    // The MLP runs in float: the CLI (its own BLAS kernel choice and heap, so other summation orders
    // and alignments) agrees with this process to float rounding, not to the last double bit.
    const double expected = inProcess.predictMs(ArchConfig::loadFile(m_arch.toStdString()));
    QVERIFY2(std::abs(predicted - expected) <= 1e-5 * std::abs(expected),
             qPrintable(QString("CLI %1 ms, in-process %2 ms").arg(predicted, 0, 'g', 12).arg(expected, 0, 'g', 12)));
    const Run ptext = cli({"latency", "predict", m_project, m_arch, "--profile", "fast"});
    QCOMPARE(ptext.code, 0);
    QVERIFY(ptext.out.contains("ms predicted"));
  }

  void interruptKeepsEverySampleAndResumes() {
    QProcess p;
    p.start(AUTOMOE_CLI, {"latency", "dataset", m_project, "--profile", "slow", "--samples", "60"});
    QVERIFY(p.waitForStarted());
    QString err;
    while (!err.contains("[3/60]") && p.state() == QProcess::Running) {
      p.waitForReadyRead(1000);
      err += QString::fromUtf8(p.readAllStandardError());
    }
    QVERIFY2(err.contains("[3/60]"), qPrintable(err));
    ::kill(static_cast<pid_t>(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(120000));
    err += QString::fromUtf8(p.readAllStandardError());
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 130);
    QVERIFY2(err.contains("stopped"), qPrintable(err));
    const std::string path = m_dir.filePath("runs/latency/slow.jsonl").toStdString();
    const LatencyDataset stopped = LatencyDataset::load(path);
    const size_t kept = stopped.samples().size();
    QVERIFY(kept >= 3 && kept < 60);
    QVERIFY(!stopped.droppedTruncatedLine());
    // Resuming with a smaller target measures nothing stored; the count adds up.
    const Run r = cli({"latency", "dataset", m_project, "--profile", "slow", "--samples", QString::number(kept + 2)});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains(QString("2 measured now, %1 of the plan already stored").arg(kept)), qPrintable(r.out));
    QCOMPARE(LatencyDataset::load(path).samples().size(), kept + 2);
  }

  void badInputExitsTwo_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QDir(m_dir.path()).mkpath("other");
    const QString noDataset = writeFile("other/project.json", tinyProject(2).dump());
    const QString brokenArch = writeFile("broken_arch.json", "{\"encoder\": ");
    const QString foreignArch = writeFile("foreign_arch.json", [] {
      ArchConfig a = test::tinySpace().largest();
      a.decoder.embedDim = 24;
      return a.toJson().dump();
    }());
    const QString badProfile = writeFile("bad_profile.json", [] {
      nlohmann::json j = tinyProject(2);
      j["hardware_profiles"][1]["beam"] = "five";
      return j.dump();
    }());
    QTest::newRow("unknown profile") << QStringList{"latency", "measure", m_project, m_arch, "--profile", "gpu"}
                                     << "no profile named \"gpu\" (known: fast, slow)";
    QTest::newRow("malformed arch") << QStringList{"latency", "measure", m_project, brokenArch}
                                    << "broken_arch.json: invalid JSON";
    QTest::newRow("arch outside space") << QStringList{"latency", "predict", m_project, foreignArch}
                                        << "decoder.embed_dim = 24 is not one of [20, 8]";
    QTest::newRow("bad profile field") << QStringList{"latency", "dataset", badProfile}
                                       << "field 'hardware_profiles[1].beam': expected an integer";
    QTest::newRow("train without dataset") << QStringList{"latency", "train", noDataset}
                                           << "no latency dataset for profile \"fast\"";
    QTest::newRow("predict without predictor") << QStringList{"latency", "predict", noDataset, m_arch}
                                               << "no latency predictor for profile \"fast\"";
    QTest::newRow("bad sample count") << QStringList{"latency", "dataset", m_project, "--samples", "0"}
                                      << "option --samples: 0 is outside";
    // A fraction that is not a number would otherwise pass every range test (NaN compares false).
    QTest::newRow("holdout nan") << QStringList{"latency", "train", m_project, "--holdout", "nan"}
                                 << "option --holdout: 'nan' is not a number";
    QTest::newRow("holdout too large") << QStringList{"latency", "train", m_project, "--holdout", "1"}
                                       << "option --holdout: 1 is outside [0, 0.9]";
    QTest::newRow("count beyond 64 bits") << QStringList{"latency", "dataset", m_project, "--samples", "99999999999999999999"}
                                          << "option --samples: 99999999999999999999 is outside [1, ";
    QTest::newRow("missing arch") << QStringList{"latency", "measure", m_project} << "expected PROJECT ARCH.json";
    QTest::newRow("unknown subcommand") << QStringList{"latency", "guess", m_project}
                                        << "unknown subcommand 'latency guess'";
  }
  void badInputExitsTwo() {
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Run r = cli(args);
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
  }
};

QTEST_GUILESS_MAIN(TestLatencyCli)
#include "test_latency_cli.moc"
