// `automoe search` as a user runs it: searches with a trained supernet, writes history.jsonl and
// result.json, resumes without evaluating anything again, refuses changed settings unless --fresh,
// is stopped by SIGINT with its history kept and exit 130, and refuses bad input with exit 2.
#include <QtTest/QtTest>

#include <QProcess>
#include <QTemporaryDir>
#include <csignal>

#include <nlohmann/json.hpp>

#include "project/project.h"
#include "search/search_history.h"
#include "util/atomic_file.h"

using namespace automoe;

class TestSearchCli final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString m_project;
  nlohmann::json m_json;

  struct Run {
    int code;
    QString out, err;
  };
  Run cli(const QStringList& args, int timeoutMs = 300000) {
    QProcess p;
    p.start(AUTOMOE_CLI, args);
    p.waitForFinished(timeoutMs);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
  }
  QString write(const QString& name, const nlohmann::json& j) {
    const QString path = m_dir.filePath(name);
    writeFileAtomically(path.toStdString(), j.dump(2));
    return path;
  }

 private Q_SLOTS:
  void initTestCase() {
    m_json = Project::load(AUTOMOE_SOURCE_DIR "/projects/demo/project.json").toJson();
    m_json["model"]["vocab_size"] = 64;  // synthetic corpus: 4 specials + 2 x 30 word types
    m_json["data"]["max_tokens"] = 256;
    m_json["data"]["vocab_size"] = 64;
    m_json["training"] = {{"max_updates", 4}, {"log_every", 2}, {"validate_every", 100}, {"checkpoint_every", 100},
                          {"valid_batches", 1}, {"reference_subnets", 1}, {"run_dir", "run"}};
    m_json["search"] = {{"population", 6}, {"parents", 2}, {"mutations", 2}, {"crossovers", 2}, {"generations", 2},
                        {"valid_batches", 2}, {"constraints", {{{"metric", "flops"}, {"limit", 1e12}}}},
                        {"run_dir", "search"}};
    m_project = write("project.json", m_json);
  }

  void missingCheckpointIsBadInput() {
    const Run r = cli({"search", m_project, "--synthetic"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("checkpoint_last.pt") && r.err.contains("automoe train"), qPrintable(r.err));
  }

  void searchesAndResumes() {
    QCOMPARE(cli({"train", m_project, "--synthetic"}).code, 0);
    const Run r = cli({"search", m_project, "--synthetic"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains("generation 2/2"), qPrintable(r.err));
    QVERIFY2(r.out.contains("best candidate #") && r.out.contains("flops"), qPrintable(r.out));
    const std::string history = m_dir.filePath("search/history.jsonl").toStdString();
    const SearchHistory h = SearchHistory::load(history);
    QCOMPARE(h.generations().size(), size_t(2));
    QVERIFY(h.candidates().size() >= 6);
    for (const auto& c : h.candidates()) {
      QVERIFY(c.metric("flops") <= 1e12);
      QVERIFY(c.fitness > 0 && std::isfinite(c.fitness));
      QVERIFY(c.metrics.count("total_params") && c.metrics.count("active_params"));
    }
    const auto result = nlohmann::json::parse(readTextFile(m_dir.filePath("search/result.json").toStdString()));
    const int best = result.at("best_id").get<int>();
    QCOMPARE(ArchConfig::fromJson(result.at("arch"), "result"), SearchHistory::findCandidate(history, best));
    QCOMPARE(result.at("fitness").get<double>(), h.candidates().at(best).fitness);
    QCOMPARE(result.at("seed").get<int>(), 1);
    for (const auto& c : h.candidates()) QVERIFY(c.fitness >= result.at("fitness").get<double>());

    // Again: everything comes from the history.
    const Run again = cli({"search", m_project, "--synthetic"});
    QCOMPARE(again.code, 0);
    QVERIFY2(again.err.contains("resuming") && again.err.contains("(from history)"), qPrintable(again.err));
    QVERIFY2(!again.err.contains(" left"), qPrintable(again.err));  // replayed generations take no time
    QVERIFY2(again.out.contains("(0 evaluated now)"), qPrintable(again.out));
    // More generations continue the same search; other settings are refused without --fresh.
    const Run more = cli({"search", m_project, "--synthetic", "--generations", "3"});
    QCOMPARE(more.code, 0);
    QVERIFY2(QRegularExpression("^generation 3/3  .*  0s left\n", QRegularExpression::MultilineOption).match(more.err).hasMatch(),
             qPrintable(more.err));
    QCOMPARE(SearchHistory::load(history).generations().size(), size_t(3));
    const Run other = cli({"search", m_project, "--synthetic", "--population", "9"});
    QCOMPARE(other.code, 2);
    QVERIFY2(other.err.contains("--fresh") && other.err.contains("history.jsonl") &&
                 other.err.contains("field 'search.crossovers': 2 in the history, 4 now"),
             qPrintable(other.err));
    const Run fresh = cli({"search", m_project, "--synthetic", "--population", "9", "--fresh", "--json"});
    QVERIFY2(fresh.code == 0, qPrintable(fresh.err));
    const auto j = nlohmann::json::parse(fresh.out.toStdString());
    QVERIFY(j.contains("best_id") && j.contains("front"));
    QCOMPARE(SearchHistory::load(history).header()["search"]["population"].get<int>(), 9);
  }

  void nsga2PrintsTheFront() {
    nlohmann::json j = m_json;
    j["search"]["objectives"] = {{"mode", "nsga2"}, {"cost", "active_params"}};
    j["search"]["run_dir"] = "search_nsga2";
    const Run r = cli({"search", write("nsga2.json", j), "--synthetic"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("Pareto front") && r.out.contains("hypervolume"), qPrintable(r.out));
    const auto result = nlohmann::json::parse(readTextFile(m_dir.filePath("search_nsga2/result.json").toStdString()));
    QVERIFY(!result.at("front").empty());
  }

  void sigintKeepsTheHistory() {
    nlohmann::json j = m_json;
    j["search"]["generations"] = 1000000;
    j["search"]["run_dir"] = "search_sig";
    const QString project = write("sig.json", j);
    QProcess p;
    p.start(AUTOMOE_CLI, {"search", project, "--synthetic"});
    QVERIFY(p.waitForStarted());
    const QString history = m_dir.filePath("search_sig/history.jsonl");
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(history) && QFileInfo(history).size() > 3000, 120000);
    ::kill(static_cast<pid_t>(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 130);
    QVERIFY(!SearchHistory::load(history.toStdString()).candidates().empty());
    QVERIFY(!QFile::exists(m_dir.filePath("search_sig/result.json")));
  }

  void refusesBadInput() {
    Run r = cli({"search", m_project, "--synthetic", "--generations", "0"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("--generations"));
    nlohmann::json j = m_json;
    j["search"]["constraints"] = {{{"metric", "flops"}, {"limit", 10}}};
    j["search"]["run_dir"] = "search_tight";
    r = cli({"search", write("tight.json", j), "--synthetic"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("budget unsatisfiable") && r.err.contains("flops"), qPrintable(r.err));
    QVERIFY(!QFile::exists(m_dir.filePath("search_tight/history.jsonl")));
    j["search"]["constraints"] = {{{"metric", "predicted_latency"}, {"limit", 100}}};
    r = cli({"search", write("nopred.json", j), "--synthetic"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("predictor") && r.err.contains("automoe latency train"), qPrintable(r.err));
    j = m_json;
    j["search"]["mutation_prob"] = "high";
    r = cli({"search", write("badfield.json", j), "--synthetic"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("field 'search.mutation_prob'"), qPrintable(r.err));
    j = m_json;
    j["search"]["profile"] = "nope";
    r = cli({"search", write("badprofile.json", j), "--synthetic"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("field 'search.profile'") && r.err.contains("nope"), qPrintable(r.err));
    r = cli({"search", m_dir.filePath("missing.json")});
    QCOMPARE(r.code, 2);
  }
};

QTEST_GUILESS_MAIN(TestSearchCli)
#include "test_search_cli.moc"
