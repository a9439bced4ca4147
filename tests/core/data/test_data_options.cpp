// The project's "data" section: defaults that follow the model and project, validation errors
// that name the file and field, and the JSON round trip.
#include <QtTest/QtTest>
#include <nlohmann/json.hpp>

#include "project/project.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/json_reader.h"

using namespace automoe;

namespace {

const std::string kDemo = AUTOMOE_SOURCE_DIR "/projects/demo/project.json";

nlohmann::json demoJson() { return parseJsonText(readTextFile(kDemo), kDemo); }

}  // namespace

class TestDataOptions final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void demoProjectHasADdtpSection() {
    const Project p = Project::load(kDemo);
    QCOMPARE(p.data.pair, std::string("en-de"));
    QCOMPARE(p.data.sources, std::vector<std::string>{"ddtp"});
    QCOMPARE(p.data.vocabSize, p.model.vocabSize);
    QCOMPARE(p.data.maxPositions, int64_t{p.model.maxPositions});
    QCOMPARE(p.data.seed, p.seed);
    QCOMPARE(p.resolvePath(p.data.dir), std::string(AUTOMOE_SOURCE_DIR "/projects/demo/data"));
    const Project wmt = Project::load(AUTOMOE_SOURCE_DIR "/projects/wmt14-en-de/project.json");
    QVERIFY(wmt.data.usesSource("gettext"));
    QVERIFY(wmt.data.usesSource("libreoffice-help"));
    QCOMPARE(wmt.data.vocabSize, wmt.model.vocabSize);
  }

  void defaultsFollowTheModel() {
    auto j = demoJson();
    j.erase("data");
    j["seed"] = 42;
    const Project p = Project::fromJson(j, "x.json");
    QCOMPARE(p.data.vocabSize, int64_t{4000});
    QCOMPARE(p.data.seed, uint64_t{42});
    QCOMPARE(p.data.maxTokens, int64_t{4096});
    QCOMPARE(p.data.tokenizer, std::string("unigram"));
    const Project back = Project::fromJson(p.toJson(), "y.json");
    QCOMPARE(back.toJson(), p.toJson());
  }

  void helpSourceRoundTrips() {
    auto j = demoJson();
    j["data"]["sources"] = {"ddtp", "libreoffice-help"};
    j["data"]["help_dir"] = "help";
    const Project p = Project::fromJson(j, "x.json");
    QVERIFY(p.data.usesSource("libreoffice-help"));
    QCOMPARE(p.data.helpDir, std::string("help"));
    QCOMPARE(Project::fromJson(p.toJson(), "y.json").toJson(), p.toJson());
    j["data"].erase("help_dir");
    QVERIFY(Project::fromJson(j, "z.json").data.helpDir.empty());  // default: download
  }

  void badValuesNameTheField_data() {
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown") << "vocab"
                             << "1"
                             << "field 'data.vocab': unknown field";
    QTest::newRow("pair") << "pair"
                          << "\"en-xx\""
                          << "field 'data.pair': 'en-xx' is not supported";
    QTest::newRow("vocab") << "vocab_size"
                           << "5000"
                           << "field 'data.vocab_size': is 5000 but model.vocab_size is 4000";
    QTest::newRow("source") << "sources"
                            << "[\"ddtp\", \"wmt\"]"
                            << "field 'data.sources[1]': unknown source 'wmt'";
    QTest::newRow("no ddtp") << "sources"
                             << "[\"gettext\"]"
                             << "must include \"ddtp\"";
    QTest::newRow("help_dir") << "help_dir"
                              << "\"/usr/share/libreoffice/help\""
                              << "field 'data.help_dir': is set but data.sources does not include";
    QTest::newRow("help source") << "sources"
                                 << "[\"ddtp\", \"libreoffice_help\"]"
                                 << "(known: ddtp, gettext, libreoffice-help)";
    QTest::newRow("tokenizer") << "tokenizer"
                               << "\"wordpiece\""
                               << "field 'data.tokenizer'";
    QTest::newRow("positions") << "max_positions"
                               << "1000"
                               << "field 'data.max_positions': is larger than model.max_positions";
    QTest::newRow("type") << "max_tokens"
                          << "\"many\""
                          << "field 'data.max_tokens': expected an integer";
    QTest::newRow("mirror") << "mirror"
                            << "\"ftp://x\""
                            << "field 'data.mirror'";
    QTest::newRow("package") << "gettext_packages"
                             << "[\"Bad Name\"]"
                             << "field 'data.gettext_packages[0]'";
  }

  void badValuesNameTheField() {
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QString, message);
    auto j = demoJson();
    j["data"][key.toStdString()] = nlohmann::json::parse(value.toStdString());
    try {
      Project::fromJson(j, "bad.json");
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).startsWith("bad.json: "), e.what());
      QVERIFY2(QString(e.what()).contains(message), e.what());
    }
  }
};

QTEST_APPLESS_MAIN(TestDataOptions)
#include "test_data_options.moc"
