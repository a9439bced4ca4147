// HelpSource on an unpacked help tree written by the test (the layout of
// /usr/share/libreoffice/help; no download): page discovery, alignment across pages and
// languages, missing pages and languages, origins, the content fingerprint, package names.
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <filesystem>
#include <stdexcept>

#include "data/help_source.h"
#include "support/help_fixture.h"
#include "util/stop_token.h"

using namespace automoe;
using automoe::testing::helpParagraph;
using automoe::testing::writeHelpPage;

class TestHelpSource final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  std::string m_root;
  StopToken m_stop;

 private Q_SLOTS:
  void initTestCase() {
    m_root = m_dir.filePath("help").toStdString();
    writeHelpPage(m_root, "en-US", "text/swriter/guide/a.html",
                  {helpParagraph("par_id1", "Writer page, first paragraph."),
                   helpParagraph("par_id2", "Writer page, second paragraph.")});
    writeHelpPage(m_root, "de", "text/swriter/guide/a.html",
                  {helpParagraph("par_id2", "Writer-Seite, zweiter Absatz."),
                   helpParagraph("par_id1", "Writer-Seite, erster Absatz.")});
    writeHelpPage(m_root, "en-US", "text/scalc/01/b.html",
                  {helpParagraph("par_id1", "Calc page &amp; its only paragraph.")});
    writeHelpPage(m_root, "de", "text/scalc/01/b.html",
                  {helpParagraph("par_id1", "Calc-Seite &amp; ihr einziger Absatz.")});
    writeHelpPage(m_root, "en-US", "text/shared/c.html",
                  {helpParagraph("par_id1", "A page German lacks.")});
    writeFileAtomically(m_root + "/en-US/text/shared/notes.txt", "not a page\n");
    writeFileAtomically(m_root + "/en-US/contents.js", "var x;\n");
  }

  void findsPagesPerLanguage() {
    QCOMPARE(HelpSource::findPages(m_root, "en"),
             (std::vector<std::string>{"text/scalc/01/b.html", "text/shared/c.html",
                                       "text/swriter/guide/a.html"}));
    QCOMPARE(HelpSource::findPages(m_root, "de").size(), size_t{2});
    QVERIFY(HelpSource::findPages(m_root, "fr").empty());
    QCOMPARE(HelpSource::helpLanguage("en"), std::string("en-US"));
    QCOMPARE(HelpSource::helpLanguage("fr"), std::string("fr"));
    QCOMPARE(HelpSource::packageName("en"), std::string("libreoffice-help-en-us"));
    QCOMPARE(HelpSource::packageName("de"), std::string("libreoffice-help-de"));
  }

  void harvestsAlignedPairsWithOrigins() {
    std::vector<std::string> logged;
    HelpSource source([&](const std::string& l) { logged.push_back(l); });
    const HelpHarvest h = source.harvestDir(m_root, {"de", "fr"}, m_stop);
    QVERIFY(!h.pairs.count("fr"));  // no fr folder: no pairs, a log line
    bool saidFr = false;
    for (const auto& l : logged) saidFr = saidFr || l.find("no fr pages") != std::string::npos;
    QVERIFY(saidFr);
    const auto& de = h.pairs.at("de");
    QCOMPARE(de.size(), size_t{3});
    QCOMPARE(de[0].src, std::string("Calc page & its only paragraph."));  // sorted page order
    QCOMPARE(de[0].tgt, std::string("Calc-Seite & ihr einziger Absatz."));
    QCOMPARE(de[0].origin, std::string("libreoffice-help:text/scalc/01/b.html#par_id1"));
    QCOMPARE(de[1].tgt, std::string("Writer-Seite, erster Absatz."));
    QCOMPARE(de[2].origin, std::string("libreoffice-help:text/swriter/guide/a.html#par_id2"));
    const HelpAlignStats& s = h.stats.at("de");
    QCOMPARE(s.pages, int64_t{2});
    QCOMPARE(s.missingPages, int64_t{1});  // text/shared/c.html
    QCOMPARE(s.pairs, int64_t{3});
    const auto j = h.alignmentJson();
    QCOMPARE(j["de"]["missing_pages"].get<int>(), 1);
    QCOMPARE(j["de"]["pairs"].get<int>(), 3);
  }

  void fingerprintFollowsTheContent() {
    const std::string before = HelpSource::fingerprint(m_root, {"de", "fr"});
    QCOMPARE(HelpSource::fingerprint(m_root, {"de", "fr"}), before);
    writeHelpPage(m_root, "de", "text/shared/c.html",
                  {helpParagraph("par_id1", "Eine Seite, die Deutsch fehlte.")});
    const std::string after = HelpSource::fingerprint(m_root, {"de", "fr"});
    QVERIFY(after != before);
    std::filesystem::remove(m_root + "/de/text/shared/c.html");
    QCOMPARE(HelpSource::fingerprint(m_root, {"de", "fr"}), before);
  }

  void treeWithoutEnglishPagesIsAnError() {
    const std::string empty = m_dir.filePath("empty").toStdString();
    std::filesystem::create_directories(empty + "/de/text");
    HelpSource source;
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, source.harvestDir(empty, {"de"}, m_stop));
  }
};

QTEST_APPLESS_MAIN(TestHelpSource)
#include "test_help_source.moc"
