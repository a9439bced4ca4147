// `automoe data build | prepare | stats | encode | decode` as a user runs them, on a project whose
// DDTP indexes are synthetic files in a local folder (data.ddtp_dir): nothing is downloaded.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/ddtp_fixture.h"
#include "support/help_fixture.h"
#include "util/atomic_file.h"
#include "util/json_reader.h"

#include "support/cli_runner.h"

using namespace automoe;

namespace {

using Run = test::CliRun;

Run cli(const QStringList& args, const QByteArray& input = {}) { return test::runCli(args, input); }

}  // namespace

class TestDataCli final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString m_project;

  QString writeProject(const QString& name, const std::function<void(nlohmann::json&)>& edit) {
    const std::string demo = AUTOMOE_SOURCE_DIR "/projects/demo/project.json";
    nlohmann::json j = parseJsonText(readTextFile(demo), demo);
    j["model"]["vocab_size"] = 150;
    j["data"] = {{"dir", "data-" + name.toStdString()},
                 {"ddtp_dir", "ddtp"},
                 {"vocab_size", 150},
                 {"valid_size", 8},
                 {"test_size", 8},
                 {"max_tokens", 256}};
    edit(j);
    const QString path = m_dir.filePath(name + ".json");
    writeFileAtomically(path.toStdString(), j.dump(2));
    return path;
  }

 private Q_SLOTS:
  void initTestCase() {
    const std::string ddtp = m_dir.filePath("ddtp").toStdString();
    std::filesystem::create_directories(ddtp);
    const auto f = automoe::testing::makeDdtpFixture(120);
    writeFileAtomically(ddtp + "/Translation-en", f.english);
    writeFileAtomically(ddtp + "/Translation-de", f.translated);
    m_project = writeProject("p", [](nlohmann::json&) {});
  }

  void helpListsDataCommands() {
    const Run r = cli({"--help"});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("data build"));
    QVERIFY(r.out.contains("data prepare"));
  }

  void prepareBeforeBuildExitsTwo() {
    const Run r = cli({"data", "prepare", m_project});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("run 'automoe data build PROJECT' first"), qPrintable(r.err));
  }

  void buildThenReuse() {
    const Run r = cli({"data", "build", m_project});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains("corpus    built"), qPrintable(r.out));
    QVERIFY(r.out.contains(QRegularExpression("en-de\\s+\\d+\\s+\\d+\\s+\\d+\\s+8\\s+8")));
    QVERIFY(r.err.contains("[data] ddtp: reading the indexes in"));
    const QString corpus = m_dir.filePath("data-p/corpus/en-de/train.en");
    QVERIFY(QFileInfo::exists(corpus));
    const Run again = cli({"data", "build", m_project});
    QCOMPARE(again.code, 0);
    QVERIFY(again.out.contains("up to date"));
  }

  void prepareStatsEncodeDecode() {
    const Run r = cli({"data", "prepare", m_project});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains("prepared  en-de"), qPrintable(r.out + r.err));
    QVERIFY(r.out.contains("vocabulary 150"));
    QVERIFY(cli({"data", "prepare", m_project}).out.contains("up to date"));

    const Run stats = cli({"data", "stats", m_project, "--json"});
    QCOMPARE(stats.code, 0);
    const auto j = nlohmann::json::parse(stats.out.toStdString());
    QCOMPARE(j["prepared"]["vocab_size"].get<int>(), 150);
    QCOMPARE(j["corpus"]["pairs"]["en-de"]["valid"].get<int>(), 8);
    QVERIFY(j["batches"]["batches_per_epoch"].get<int>() > 0);
    QCOMPARE(j["batches"]["max_tokens"].get<int>(), 256);
    const Run text = cli({"data", "stats", m_project, "--samples", "2"});
    QCOMPARE(text.code, 0);
    QVERIFY(text.out.contains("valid samples:"));

    // The torch-linked CLI finds automoe-tokenizer next to itself and round-trips text.
    const Run enc = cli({"data", "encode", m_project}, "Alpha bravo charlie delta.\n");
    QCOMPARE(enc.code, 0);
    QVERIFY(enc.out.trimmed().size() > 0);
    const Run dec = cli({"data", "decode", m_project}, enc.out.toUtf8());
    QCOMPARE(dec.code, 0);
    QCOMPARE(dec.out, QString("Alpha bravo charlie delta.\n"));
    const Run bad = cli({"data", "decode", m_project}, "5 150\n");
    QCOMPARE(bad.code, 2);
    QVERIFY(bad.err.contains("outside the vocabulary"));
  }

  void aDamagedCorpusManifestIsNamedThenBuiltAgain() {
    const std::string file = m_dir.filePath("data-p/corpus/corpus.json").toStdString();
    nlohmann::json m = nlohmann::json::parse(automoe::readTextFile(file));
    m["pairs"]["en-de"]["valid"] = "eight";
    automoe::writeFileAtomically(file, m.dump(2));
    const Run stats = cli({"data", "stats", m_project});
    QCOMPARE(stats.code, 2);
    QVERIFY2(stats.err.contains(QString::fromStdString(file) + ": field 'pairs.en-de.valid': expected an integer, got string"),
             qPrintable(stats.err));
    QVERIFY2(stats.err.contains("('automoe data build " + m_project + "' writes it again)"), qPrintable(stats.err));
    const Run build = cli({"data", "build", m_project});
    QCOMPARE(build.code, 0);
    QVERIFY2(build.err.contains("; building the corpus again"), qPrintable(build.err));
    QVERIFY2(build.out.contains(QRegularExpression("en-de\\s+\\d+\\s+\\d+\\s+\\d+\\s+8\\s+8")), qPrintable(build.out));
    QCOMPARE(cli({"data", "stats", m_project}).code, 0);
  }

  void buildWithHelpPagesFromAFolder() {
    using automoe::testing::helpParagraph;
    const std::string help = m_dir.filePath("help").toStdString();
    const std::string english = "Choose the menu command to open the dialog.";
    automoe::testing::writeHelpPage(help, "en-US", "text/shared/a.html",
                                    {helpParagraph("par_id1", english)});
    automoe::testing::writeHelpPage(
        help, "de", "text/shared/a.html",
        {helpParagraph("par_id1", automoe::testing::fakeTranslate(english))});
    const QString p = writeProject("help", [](nlohmann::json& j) {
      j["data"]["sources"] = {"ddtp", "libreoffice-help"};
      j["data"]["help_dir"] = "help";  // relative to the project file
    });
    const Run r = cli({"data", "build", p});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains("\"libreoffice-help\":1"), qPrintable(r.out + r.err));
    QVERIFY2(r.out.contains("help      " + QString::fromStdString(help)), qPrintable(r.out));
    QVERIFY(r.err.contains("[data] libreoffice-help: reading the pages in"));
    const QString missing = writeProject("nohelp", [](nlohmann::json& j) {
      j["data"]["sources"] = {"ddtp", "libreoffice-help"};
      j["data"]["help_dir"] = "no-such-folder";
    });
    const Run bad = cli({"data", "build", missing});
    QCOMPARE(bad.code, 2);
    QVERIFY2(bad.err.contains("data.help_dir: '"), qPrintable(bad.err));
  }

  void badDataSectionExitsTwo() {
    const QString p = writeProject("bad", [](nlohmann::json& j) { j["data"]["pair"] = "en-es"; });
    const Run r = cli({"data", "build", p});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("field 'data.pair': 'en-es' is not supported"), qPrintable(r.err));
    const QString noInput =
        writeProject("fr", [](nlohmann::json& j) { j["data"]["pair"] = "en-fr"; });
    const Run fr = cli({"data", "build", noInput});
    QCOMPARE(fr.code, 2);
    QVERIFY2(fr.err.contains("data.pair: no fr input"), qPrintable(fr.err));
    const Run stats = cli({"data", "stats", noInput});
    QCOMPARE(stats.code, 2);
  }
};

QTEST_APPLESS_MAIN(TestDataCli)
#include "test_data_cli.moc"
