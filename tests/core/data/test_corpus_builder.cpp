// CorpusBuilder end to end on synthetic DDTP indexes in a local folder (no download): files,
// filters, split disjointness, manifest, idempotence; with LibreOffice help pages from a local
// folder as a second source (origins per line, train only). AptArchive's reuse of downloaded lists
// and its release-file parsing, on a fake lists folder.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <algorithm>
#include <filesystem>
#include <set>

#include "data/apt_archive.h"
#include "data/corpus_builder.h"
#include "data/sentence_splitter.h"
#include "data/text_normalizer.h"
#include "support/ddtp_fixture.h"
#include "support/help_fixture.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/stop_token.h"

using namespace automoe;

namespace {

std::vector<std::string> lines(const std::string& path) {
  std::vector<std::string> out;
  const std::string text = readTextFile(path);
  for (size_t s = 0, e; s < text.size(); s = e + 1) {
    e = text.find('\n', s);
    out.push_back(text.substr(s, e - s));
  }
  return out;
}

// No normalised English line or sentence of valid/test occurs in train.
void checkHeldOutDisjoint(const std::string& dataDir) {
  std::set<std::string> train;
  for (const auto& l : lines(CorpusBuilder::textPath(dataDir, "en-de", "train", "en"))) {
    train.insert(normaliseForMatch(l));
    for (const auto& s : splitSentences(l)) train.insert(normaliseForMatch(s));
  }
  for (const char* split : {"valid", "test"})
    for (const auto& l : lines(CorpusBuilder::textPath(dataDir, "en-de", split, "en"))) {
      QVERIFY(!train.count(normaliseForMatch(l)));
      for (const auto& s : splitSentences(l)) QVERIFY(!train.count(normaliseForMatch(s)));
    }
}

void gzipFile(const QString& path) {
  QProcess p;
  p.start("gzip", {"-n", "-f", path});
  QVERIFY(p.waitForFinished(30000));
  QCOMPARE(p.exitCode(), 0);
}

}  // namespace

class TestCorpusBuilder final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  std::string m_inputs, m_data;
  StopToken m_stop;

  DataOptions options(uint64_t seed = 1) const {
    DataOptions o;
    o.ddtpDir = m_inputs;
    o.validSize = 10;
    o.testSize = 12;
    o.seed = seed;
    return o;
  }

  std::string path(const std::string& split, const std::string& lang) const {
    return CorpusBuilder::textPath(m_data, "en-de", split, lang);
  }

 private Q_SLOTS:
  void initTestCase() {
    m_inputs = m_dir.filePath("ddtp").toStdString();
    m_data = m_dir.filePath("data").toStdString();
    std::filesystem::create_directories(m_inputs);
    const auto f = automoe::testing::makeDdtpFixture(80);
    writeFileAtomically(m_inputs + "/Translation-en", f.english);
    writeFileAtomically(m_inputs + "/Translation-de", f.translated);
    gzipFile(QString::fromStdString(m_inputs + "/Translation-de"));  // read via apt-helper
  }

  void buildsAlignedFilteredDisjointSplits() {
    const CorpusReport r = CorpusBuilder(options(), m_data).build(false, false, m_stop);
    QVERIFY(!r.upToDate);
    QVERIFY(!r.downloaded);
    QVERIFY(!std::filesystem::exists(m_data + "/corpus/en-fr"));  // no Translation-fr given
    std::map<std::string, std::vector<std::string>> en, de, origin;
    for (const auto& split : CorpusBuilder::splits()) {
      en[split] = lines(path(split, "en"));
      de[split] = lines(path(split, "de"));
      origin[split] = lines(path(split, "origin"));
      QCOMPARE(en[split].size(), de[split].size());
      QCOMPARE(en[split].size(), origin[split].size());
      QCOMPARE(r.manifest["pairs"]["en-de"][split].get<size_t>(), en[split].size());
    }
    QCOMPARE(en["valid"].size(), size_t{10});
    QCOMPARE(en["test"].size(), size_t{12});
    // Every line is an aligned pair; the hand-made ones are where they should be.
    std::set<std::string> all;
    for (const auto& split : CorpusBuilder::splits())
      for (size_t i = 0; i < en[split].size(); ++i) {
        QCOMPARE(de[split][i], automoe::testing::fakeTranslate(en[split][i]));
        all.insert(en[split][i]);
      }
    QVERIFY(all.count("second bullet item that wraps onto a second line"));
    QVERIFY(all.count("First sentence of the first paragraph is here."));
    QVERIFY(!all.count("package left untranslated by the team"));  // untranslated
    QVERIFY(!all.count("One paragraph in English only here."));    // paragraph mismatch
    QVERIFY(all.count("Notable features are the following:"));     // 5 words: kept
    int boiler = 0;
    for (const auto& l : en["train"])
      boiler += l.rfind("This package contains the development", 0) == 0;
    QCOMPARE(boiler, 6);  // the whole family stays in train
    checkHeldOutDisjoint(m_data);
    const auto& m = r.manifest;
    QCOMPARE(m["format_version"].get<int>(), CorpusBuilder::kFormatVersion);
    QCOMPARE(m["options"]["seed"].get<uint64_t>(), uint64_t{1});
    QCOMPARE(m["sources"]["ddtp"]["release"]["local_dir"].get<std::string>(), m_inputs);
    QVERIFY(m["sources"]["ddtp"]["inputs"].contains("de"));
    QVERIFY(m["pairs"]["en-de"]["dropped"]["untranslated"].get<int>() >= 1);
    QCOMPARE(m["pairs"]["en-de"]["alignment"]["paragraph_mismatch"].get<int>(), 1);
    QVERIFY(!m["created"].get<std::string>().empty());
    QCOMPARE(readTextFile(CorpusBuilder::manifestPath(m_data)), m.dump(2) + "\n");
  }

  void secondRunReusesAndRebuildIsIdentical() {
    std::map<std::string, std::string> before;
    for (const auto& split : CorpusBuilder::splits())
      for (const char* l : {"en", "de", "origin"}) before[split + l] = readTextFile(path(split, l));
    const std::string manifest = readTextFile(CorpusBuilder::manifestPath(m_data));
    const CorpusReport again = CorpusBuilder(options(), m_data).build(false, false, m_stop);
    QVERIFY(again.upToDate);
    QCOMPARE(readTextFile(CorpusBuilder::manifestPath(m_data)), manifest);  // not rewritten
    const CorpusReport forced = CorpusBuilder(options(), m_data).build(false, true, m_stop);
    QVERIFY(!forced.upToDate);
    QCOMPARE(forced.manifest["fingerprint"], again.manifest["fingerprint"]);
    for (const auto& split : CorpusBuilder::splits())
      for (const char* l : {"en", "de", "origin"})
        QCOMPARE(readTextFile(path(split, l)), before[split + l]);
    // Another seed is another configuration: rebuilt, different held-out sentences.
    const CorpusReport other = CorpusBuilder(options(2), m_data).build(false, false, m_stop);
    QVERIFY(!other.upToDate);
    QVERIFY(readTextFile(path("valid", "en")) != before["validen"]);
  }

  void aDamagedManifestIsBuiltAgain() {
    CorpusBuilder(options(), m_data).build(false, false, m_stop);
    const std::string file = CorpusBuilder::manifestPath(m_data);
    const std::string good = readTextFile(file);
    const std::string trainEn = readTextFile(path("train", "en"));
    nlohmann::json damaged = nlohmann::json::parse(good);
    damaged["pairs"]["en-de"]["train"] = "many";  // the fingerprint still matches
    const std::vector<std::pair<std::string, std::string>> cases = {
        {damaged.dump(2), "field 'pairs.en-de.train': expected an integer"}, {"{\"pairs\": ", "invalid JSON"}};
    for (const auto& [text, why] : cases) {
      writeFileAtomically(file, text);
      std::vector<std::string> log;
      const CorpusReport r =
          CorpusBuilder(options(), m_data, [&](const std::string& l) { log.push_back(l); }).build(false, false, m_stop);
      QVERIFY(!r.upToDate);
      const auto said = std::find_if(log.begin(), log.end(), [&](const std::string& l) {
        return l.rfind("corpus: " + file + ": ", 0) == 0 && l.find("; building the corpus again") != std::string::npos;
      });
      QVERIFY(said != log.end());
      QVERIFY2(said->find(why) != std::string::npos, said->c_str());
      QCOMPARE(r.manifest["pairs"]["en-de"]["train"].get<size_t>(), lines(path("train", "en")).size());
      QCOMPARE(readTextFile(path("train", "en")), trainEn);  // the same corpus again
      QCOMPARE(readTextFile(file), r.manifest.dump(2) + "\n");
      QVERIFY(CorpusBuilder(options(), m_data).build(false, false, m_stop).upToDate);
    }
  }

  void missingEnglishIndexIsAConfigError() {
    DataOptions o = options();
    o.ddtpDir = m_dir.filePath("empty").toStdString();
    std::filesystem::create_directories(o.ddtpDir);
    QVERIFY_THROWS_EXCEPTION(ConfigError, CorpusBuilder(o, m_data).build(false, false, m_stop));
  }

  void helpPagesAreATrainOnlySourceWithOrigins() {
    using automoe::testing::fakeTranslate;
    using automoe::testing::helpParagraph;
    using automoe::testing::writeHelpPage;
    const std::string help = m_dir.filePath("help").toStdString();
    const std::string data = m_dir.filePath("data-help").toStdString();
    const std::vector<std::string> english{
        "Choose the menu command to open the dialog.",
        "The spreadsheet recalculates every formula after each change.",
        "Drawings can be grouped so that they move together."};
    automoe::testing::HelpElements en, de;
    for (size_t i = 0; i < english.size(); ++i) {
      const std::string id = "par_id" + std::to_string(i);
      en.push_back(helpParagraph(id, "<span class=\"emph\">" + english[i] + "</span>"));
      de.push_back(helpParagraph(id, fakeTranslate(english[i])));
    }
    en.push_back(helpParagraph("par_id8", "Left untranslated by the help team."));
    de.push_back(helpParagraph("par_id8", "Left untranslated by the help team."));
    en.push_back(helpParagraph("par_id9", "This paragraph has no German counterpart."));
    writeHelpPage(help, "en-US", "text/shared/guide/page.html", en);
    writeHelpPage(help, "de", "text/shared/guide/page.html", de);

    DataOptions o = options();
    o.sources = {"ddtp", "libreoffice-help"};
    o.helpDir = help;
    const CorpusReport r = CorpusBuilder(o, data).build(false, false, m_stop);
    QVERIFY(!r.downloaded);
    std::set<std::string> helpLines;
    for (const auto& split : CorpusBuilder::splits()) {
      const auto src = lines(CorpusBuilder::textPath(data, "en-de", split, "en"));
      const auto tgt = lines(CorpusBuilder::textPath(data, "en-de", split, "de"));
      const auto origin = lines(CorpusBuilder::textPath(data, "en-de", split, "origin"));
      QCOMPARE(origin.size(), src.size());
      for (size_t i = 0; i < src.size(); ++i) {
        QCOMPARE(tgt[i], fakeTranslate(src[i]));  // every line still an aligned pair
        if (origin[i].rfind("libreoffice-help:", 0) != 0) {
          QVERIFY2(origin[i].rfind("ddtp:", 0) == 0, origin[i].c_str());
          continue;
        }
        QCOMPARE(split, std::string("train"));  // help pairs never go to valid/test
        QVERIFY(origin[i].rfind("libreoffice-help:text/shared/guide/page.html#par_id", 0) == 0);
        helpLines.insert(src[i]);
      }
    }
    QCOMPARE(helpLines, std::set<std::string>(english.begin(), english.end()));
    checkHeldOutDisjoint(data);
    const auto& m = r.manifest;
    QCOMPARE(m["pairs"]["en-de"]["train_by_source"]["libreoffice-help"].get<int>(), 3);
    const auto& src = m["sources"]["libreoffice-help"];
    QCOMPARE(src["local_dir"].get<std::string>(), help);
    QCOMPARE(src["alignment"]["de"]["unmatched"].get<int>(), 1);
    QCOMPARE(src["alignment"]["de"]["pairs"].get<int>(), 4);  // the untranslated one is filtered
    QCOMPARE(m["options"]["help_dir"].get<std::string>(), help);
    QVERIFY(CorpusBuilder(o, data).build(false, false, m_stop).upToDate);
    writeHelpPage(help, "de", "text/shared/guide/page.html", {});  // changed input: rebuilt
    QVERIFY(!CorpusBuilder(o, data).build(false, false, m_stop).upToDate);

    o.helpDir = m_dir.filePath("no-such-help").toStdString();
    try {
      CorpusBuilder(o, data).build(false, false, m_stop);
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).startsWith("data.help_dir: "), e.what());
    }
  }

  void aptArchiveReusesListsAndParsesRelease() {
    const std::string apt = m_dir.filePath("apt").toStdString();
    std::filesystem::create_directories(apt + "/lists");
    const std::string prefix = apt + "/lists/deb.example.org_debian_dists_bookworm_";
    writeFileAtomically(prefix + "main_i18n_Translation-en", "Package: a\n");
    writeFileAtomically(prefix + "main_i18n_Translation-de", "Package: a\n");
    gzipFile(QString::fromStdString(prefix + "main_i18n_Translation-de"));
    writeFileAtomically(prefix + "main_i18n_Translation-de_DE", "not this one\n");
    writeFileAtomically(prefix + "InRelease",
                        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nOrigin: Debian\n"
                        "Suite: stable\nVersion: 12.9\nCodename: bookworm\nDate: Sat, 11 Jan 2025\n"
                        "SHA256:\n " +
                            std::string(64, 'a') + " 123 main/i18n/Translation-de\n " +
                            std::string(64, 'b') + " 45 main/i18n/Translation-de.bz2\n");
    AptArchive archive(apt, "http://deb.example.org/debian", "bookworm");
    QVERIFY(!archive.update({"en", "de"}, false, false, m_stop));  // present: apt-get not run
    QVERIFY(QString::fromStdString(archive.translationFile("de")).endsWith("Translation-de.gz"));
    QVERIFY(archive.translationFile("fr").empty());
    QCOMPARE(AptArchive::readIndex(archive.translationFile("de")), std::string("Package: a\n"));
    const auto info = archive.releaseInfo({"en", "de"});
    QCOMPARE(info["version"].get<std::string>(), std::string("12.9"));
    QCOMPARE(info["codename"].get<std::string>(), std::string("bookworm"));
    QCOMPARE(info["sha256"]["Translation-de"].get<std::string>(), std::string(64, 'a'));
    QVERIFY(!info["sha256"].contains("Translation-en"));
    QCOMPARE(AptArchive::debVersion("/x/git_1%3a2.39.5-0+deb12u2_amd64.deb"),
             std::string("1:2.39.5-0+deb12u2"));
  }
};

QTEST_APPLESS_MAIN(TestCorpusBuilder)
#include "test_corpus_builder.moc"
