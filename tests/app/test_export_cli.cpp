// `automoe export | translate | evaluate` as a user runs them: a tiny project whose corpus comes
// from synthetic DDTP files, a supernet trained for two updates, a subnet exported by --arch and
// by --candidate (a hand-written search history), translated from stdin and evaluated; bad input
// exits 2 with the file named.
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "arch/arch_config.h"
#include "project/project.h"
#include "search/search_history.h"
#include "support/cli_runner.h"
#include "support/ddtp_fixture.h"
#include "util/atomic_file.h"
#include "util/json_reader.h"

using namespace automoe;

namespace {

using Run = test::CliRun;

Run cli(const QStringList& args, const QByteArray& input = {}) { return test::runCli(args, input, 400000); }

}  // namespace

class TestExportCli final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString m_project, m_arch;
  std::vector<std::string> m_lines;

  QString file(const QString& name) const { return m_dir.filePath(name); }

 private Q_SLOTS:
  void initTestCase() {
    const std::string ddtp = file("ddtp").toStdString();
    std::filesystem::create_directories(ddtp);
    const auto f = automoe::testing::makeDdtpFixture(120);
    writeFileAtomically(ddtp + "/Translation-en", f.english);
    writeFileAtomically(ddtp + "/Translation-de", f.translated);
    const std::string demo = AUTOMOE_SOURCE_DIR "/projects/demo/project.json";
    nlohmann::json j = parseJsonText(readTextFile(demo), demo);
    j["model"]["vocab_size"] = 150;
    j["data"] = {{"dir", "data"}, {"ddtp_dir", "ddtp"}, {"vocab_size", 150},
                 {"valid_size", 8}, {"test_size", 8}, {"max_tokens", 256}};
    j["training"] = {{"max_updates", 2}, {"log_every", 1}, {"validate_every", 1000}, {"checkpoint_every", 1000},
                     {"valid_batches", 1}, {"reference_subnets", 1}, {"threads", 1}, {"run_dir", "run"}};
    j["retrain"] = {{"average_last", 2},
                    {"training", {{"max_updates", 4}, {"checkpoint_every", 1}, {"run_dir", "retrained"}}}};
    j["evaluation"] = {{"beam", 2}, {"max_len_a", 1.0}, {"max_len_b", 5}, {"batch_size", 4}};
    m_project = file("project.json");
    writeFileAtomically(m_project.toStdString(), j.dump(2));
    const Project p = Project::load(m_project.toStdString());
    m_arch = file("arch.json");
    writeFileAtomically(m_arch.toStdString(), p.space.smallest().toJson().dump(2));
    // Before training: no checkpoint.
    const Run early = cli({"export", m_project, "--arch", m_arch, file("early"), "--no-latency"});
    QCOMPARE(early.code, 2);
    QVERIFY2(early.err.contains("checkpoint_last.pt") && early.err.contains("automoe train"), qPrintable(early.err));
    Run r = cli({"data", "all", m_project});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    r = cli({"train", m_project});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    // A search history with one candidate (the space's largest subnet).
    SearchCandidate cand;
    cand.id = 0;
    cand.arch = p.space.largest();
    cand.fitness = 4.5;
    {
      SearchHistory h = SearchHistory::open(file("runs/search/history.jsonl").toStdString(),
                                            SearchHistory::makeHeader(1, {}, {}, {}, {}), true);
      h.append(cand);
    }
    const std::string en = readTextFile(file("data/corpus/en-de/test.en").toStdString());
    for (size_t s = 0, e; (e = en.find('\n', s)) != std::string::npos; s = e + 1) m_lines.push_back(en.substr(s, e - s));
  }

  void exportTranslateEvaluate() {
    Run r = cli({"export", m_project, "--arch", m_arch, file("model"), "--no-latency"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(r.out.contains("exported"));
    for (const char* f : {"arch.json", "model.safetensors", "spm.model", "spm.vocab", "model_card.json"})
      QVERIFY2(QFileInfo::exists(file("model/") + f), f);
    const nlohmann::json card = parseJsonText(readTextFile(file("model/model_card.json").toStdString()), "card");
    QCOMPARE(card.at("source").at("step").get<int>(), 2);
    QVERIFY(card.at("source").at("checkpoint").get<std::string>().find("run/checkpoint_last.pt") != std::string::npos);

    QByteArray input;
    for (int i = 0; i < 3; ++i) input += QByteArray::fromStdString(m_lines[static_cast<size_t>(i)]) + "\n";
    r = cli({"translate", "--model", file("model"), "--beam", "2"}, input);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QCOMPARE(r.out.count('\n'), 3);  // one line per input line
    QVERIFY(r.err.contains("translated 3/3"));
    const Run again = cli({"translate", "--model", file("model"), "--beam", "2"}, input);
    QCOMPARE(again.out, r.out);  // deterministic

    const Run m = cli({"evaluate", m_project, "--model", file("model"), "--max-sentences", "4", "--json"});
    QVERIFY2(m.code == 0, qPrintable(m.err));
    const nlohmann::json jm = nlohmann::json::parse(m.out.toStdString());
    QCOMPARE(jm.at("result").at("sentences").get<int>(), 4);
    QVERIFY(jm.at("result").at("bleu").at("signature").get<std::string>().find("tok:13a") != std::string::npos);
    QVERIFY(QFileInfo::exists(file("model/evaluation_test.json")));
    // The same subnet evaluated on the supernet: same loss and BLEU.
    const Run a = cli({"evaluate", m_project, "--arch", m_arch, "--max-sentences", "4", "--json"});
    QVERIFY2(a.code == 0, qPrintable(a.err));
    const nlohmann::json ja = nlohmann::json::parse(a.out.toStdString());
    QVERIFY(std::abs(ja.at("result").at("loss").get<double>() - jm.at("result").at("loss").get<double>()) < 1e-5);
    QCOMPARE(ja.at("result").at("bleu").at("score").get<double>(), jm.at("result").at("bleu").at("score").get<double>());
    // Plain text output names the signature.
    const Run t = cli({"evaluate", m_project, "--arch", m_arch, "--max-sentences", "2", "--split", "valid"});
    QVERIFY2(t.code == 0, qPrintable(t.err));
    QVERIFY(t.out.contains("BLEU = ") && t.out.contains("nrefs:1|case:mixed") && t.out.contains("valid"));
  }

  void exportsACandidate() {
    const Run r = cli({"export", m_project, "--candidate", "0", file("cand"), "--no-latency"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const nlohmann::json card = parseJsonText(readTextFile(file("cand/model_card.json").toStdString()), "card");
    QCOMPARE(card.at("candidate_id").get<int>(), 0);
    QCOMPARE(card.at("validation").at("loss").get<double>(), 4.5);
    const Project p = Project::load(m_project.toStdString());
    QVERIFY(ArchConfig::fromJson(card.at("arch"), "card") == p.space.largest());
  }

  void retrainsAnExportedModel() {
    QVERIFY(QFileInfo::exists(file("model/arch.json")));  // from exportTranslateEvaluate
    Run r = cli({"retrain", m_project, "--model", file("model"), "--no-latency"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("averaged 2 checkpoints"), qPrintable(r.out));
    // Numbered checkpoints 3 and 4 were kept (checkpoint_every 1, average_last 2).
    QVERIFY(QFileInfo::exists(file("retrained/checkpoint_3.pt")) && QFileInfo::exists(file("retrained/checkpoint_4.pt")));
    QVERIFY(!QFileInfo::exists(file("retrained/checkpoint_2.pt")));
    const nlohmann::json card =
        parseJsonText(readTextFile(file("retrained/model/model_card.json").toStdString()), "card");
    QVERIFY(card.at("source").at("checkpoint").get<std::string>().find("checkpoint_average.pt") != std::string::npos);
    const nlohmann::json exported = parseJsonText(readTextFile(file("model/arch.json").toStdString()), "arch");
    QCOMPARE(card.at("arch"), exported);  // the same architecture, fresh weights
    QVERIFY(readTextFile(file("retrained/model/model.safetensors").toStdString()) !=
            readTextFile(file("model/model.safetensors").toStdString()));
    r = cli({"translate", "--model", file("retrained/model")}, "a line\n");
    QVERIFY2(r.code == 0, qPrintable(r.err));
    // Finished runs resume as finished: nothing is retrained.
    r = cli({"retrain", m_project, "--model", file("model"), "--no-latency"});
    QVERIFY2(r.code == 0 && r.err.contains("resuming") && !r.err.contains("update 1/"), qPrintable(r.err));
    // Another architecture in the same run folder is refused with the reason.
    const QString largest = file("largest.json");
    writeFileAtomically(largest.toStdString(), Project::load(m_project.toStdString()).space.largest().toJson().dump());
    r = cli({"retrain", m_project, "--arch", largest, "--no-latency"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("checkpoint") && r.err.trimmed().endsWith("; --fresh starts the retraining over (replacing it)"),
             qPrintable(r.err));
    r = cli({"retrain", m_project});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("exactly one"));
  }

  void badInputExitsTwo() {
    Run r = cli({"export", m_project, "--candidate", "7", file("x")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("history.jsonl: no candidate with id 7"), qPrintable(r.err));
    r = cli({"export", m_project, "--candidate", "zero", file("x")});
    QCOMPARE(r.code, 2);
    r = cli({"export", m_project, "--candidate", "0", "--arch", m_arch, file("x")});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("exactly one"));
    r = cli({"export", m_project, file("x")});
    QCOMPARE(r.code, 2);
    r = cli({"export", m_project, "--arch", file("missing.json"), file("x")});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("missing.json"));
    r = cli({"translate"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("--model"));
    r = cli({"translate", "--model", file("nowhere")});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("nowhere"));
    r = cli({"translate", "--model", file("model"), "--beam", "0"});
    QCOMPARE(r.code, 2);
    for (const char* flag : {"--lenpen", "--max-len-a"}) {  // NaN passes no range test
      r = cli({"translate", "--model", file("model"), flag, "nan"}, "alpha\n");
      QCOMPARE(r.code, 2);
      QVERIFY2(r.err.contains(QString("option %1: 'nan' is not a number").arg(flag)), qPrintable(r.err));
    }
    r = cli({"evaluate", m_project, "--arch", m_arch, "--split", "train"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("--split"));
    r = cli({"evaluate", m_project, "--model", file("model"), "--arch", m_arch});
    QCOMPARE(r.code, 2);
    QVERIFY(!QFileInfo::exists(file("x")));
    // A model whose tokenizer is not the one the project's shards were made with.
    std::filesystem::copy(file("model").toStdString(), file("other-tok").toStdString(),
                          std::filesystem::copy_options::recursive);
    writeFileAtomically(file("other-tok/spm.model").toStdString(), "another tokenizer");
    r = cli({"evaluate", m_project, "--model", file("other-tok")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("differs from the project's tokenizer"), qPrintable(r.err));
    r = cli({"translate", "--model", file("other-tok")}, "a line\n");
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("other-tok/spm.model: not a usable tokenizer model"), qPrintable(r.err));
    // A project without a search history.
    std::filesystem::rename(file("runs/search/history.jsonl").toStdString(), file("runs/search/h.bak").toStdString());
    r = cli({"evaluate", m_project, "--candidate", "0"});
    std::filesystem::rename(file("runs/search/h.bak").toStdString(), file("runs/search/history.jsonl").toStdString());
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("history.jsonl: search history not found"), qPrintable(r.err));
  }
};

QTEST_GUILESS_MAIN(TestExportCli)
#include "test_export_cli.moc"
