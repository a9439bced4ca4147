// checkCorpusManifest on the manifest CorpusBuilder writes (from synthetic DDTP indexes in a local
// folder): it accepts it as written, and every damaged field the reporting code reads is refused
// naming the file and the field.
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <filesystem>

#include "data/corpus_builder.h"
#include "data/corpus_manifest.h"
#include "support/ddtp_fixture.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/stop_token.h"

using namespace automoe;

class TestCorpusManifest : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  nlohmann::json m_manifest;
  std::string m_file;

  // The message checkCorpusManifest gives for `damaged` ("" when it accepts it).
  std::string messageFor(const nlohmann::json& damaged) const {
    try {
      checkCorpusManifest(damaged, m_file);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return {};
  }

 private Q_SLOTS:
  void initTestCase() {
    const std::string inputs = m_dir.filePath("ddtp").toStdString(), data = m_dir.filePath("data").toStdString();
    std::filesystem::create_directories(inputs);
    const auto f = automoe::testing::makeDdtpFixture(40);
    writeFileAtomically(inputs + "/Translation-en", f.english);
    writeFileAtomically(inputs + "/Translation-de", f.translated);
    DataOptions o;
    o.ddtpDir = inputs;
    o.validSize = 5;
    o.testSize = 5;
    StopToken stop;
    m_manifest = CorpusBuilder(o, data).build(false, false, stop).manifest;
    m_file = CorpusBuilder::manifestPath(data);
  }

  void acceptsTheManifestAsWritten() {
    QVERIFY(m_manifest["pairs"].contains("en-de"));
    QVERIFY(m_manifest["sources"].contains("ddtp"));
    QCOMPARE(messageFor(m_manifest), std::string());
    // Sources the build did not use may be absent; gettext and help pages as the builder writes them.
    nlohmann::json more = m_manifest;
    more["sources"]["gettext"] = {{"packages", {{"apt", "2.6.1"}}}, {"catalogs", 3}, {"dropped", nlohmann::json::object()}};
    more["sources"]["libreoffice-help"] = {{"alignment", nlohmann::json::object()}, {"packages", {{"libreoffice-help-de", "4:7.4"}}}};
    QCOMPARE(messageFor(more), std::string());
  }

  void refusesEachDamagedFieldByName() {
    struct Case {
      nlohmann::json::json_pointer at;
      nlohmann::json value;  // null with `remove`: the field deleted
      bool remove;
      std::string field, says;
    };
    using P = nlohmann::json::json_pointer;
    const std::vector<Case> cases = {
        {P("/pairs/en-de/train"), "str", false, "'pairs.en-de.train'", "expected an integer, got string"},
        {P("/pairs/en-de/valid"), -1, false, "'pairs.en-de.valid'", "expected a count (0 or more)"},
        {P("/pairs/en-de/kept"), 10000000000000000000ull, false, "'pairs.en-de.kept'", "expected a count (0 or more)"},
        {P("/pairs/en-de/test"), nullptr, true, "'pairs.en-de.test'", "missing (required)"},
        {P("/pairs/en-de/candidates"), nullptr, false, "'pairs.en-de.candidates'", "expected an integer, got null"},
        {P("/pairs/en-de/train_by_source"), nullptr, true, "'pairs.en-de.train_by_source'", "missing (required)"},
        {P("/pairs/en-de/train_by_source/ddtp"), "x", false, "'pairs.en-de.train_by_source.ddtp'", "expected an integer"},
        {P("/pairs/en-de"), 0, false, "'pairs.en-de'", "expected an object, got number"},
        {P("/pairs"), "str", false, "'pairs'", "expected an object, got string"},
        {P("/pairs"), nullptr, true, "'pairs'", "missing (required)"},
        {P("/sources"), nullptr, true, "'sources'", "missing (required)"},
        {P("/sources/ddtp"), -1, false, "'sources.ddtp'", "expected an object"},
        {P("/sources/ddtp/release"), nullptr, true, "'sources.ddtp.release'", "missing (required)"},
        {P("/sources/ddtp/release/local_dir"), 0, false, "'sources.ddtp.release.local_dir'", "expected a string"},
    };
    for (const Case& c : cases) {
      nlohmann::json damaged = m_manifest;
      if (c.remove)
        damaged[c.at.parent_pointer()].erase(c.at.back());
      else
        damaged[c.at] = c.value;
      const std::string m = messageFor(damaged);
      const std::string where = c.at.to_string();
      QVERIFY2(m.rfind(m_file + ": field " + c.field + ": ", 0) == 0, (where + ": " + m).c_str());
      QVERIFY2(m.find(c.says) != std::string::npos, (where + ": " + m).c_str());
    }
    QCOMPARE(messageFor(nlohmann::json::array()), m_file + ": expected an object, got array []");
    nlohmann::json gettext = m_manifest;
    gettext["sources"]["gettext"] = {{"packages", {{"apt", 2}}}};
    QVERIFY(messageFor(gettext).find("field 'sources.gettext.packages.apt': expected a string") != std::string::npos);
    gettext["sources"]["gettext"] = {{"packages", nlohmann::json::object()}, {"catalogs", -2}};
    QVERIFY(messageFor(gettext).find("field 'sources.gettext.catalogs': expected a count") != std::string::npos);
    nlohmann::json help = m_manifest;
    help["sources"]["libreoffice-help"] = {{"local_dir", nullptr}};
    QVERIFY(messageFor(help).find("field 'sources.libreoffice-help.local_dir': expected a string") != std::string::npos);
  }
};

QTEST_GUILESS_MAIN(TestCorpusManifest)
#include "test_corpus_manifest.moc"
