// HelpSource on an unpacked help tree written by the test (the layout of
// /usr/share/libreoffice/help; no download): page discovery, alignment across pages and
// languages, missing pages and languages, origins, the content fingerprint, package names; and
// the download path through apt-get on a local file: mirror.
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <filesystem>
#include <stdexcept>

#include "data/apt_archive.h"
#include "data/help_source.h"
#include "support/help_fixture.h"
#include "support/local_debian_mirror.h"
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

  // The download path through the real apt-get, on a local file: mirror carrying the English and
  // German help packages.
  void harvestsDownloadedPackages() {
    if (!automoe::test::LocalDebianMirror::available()) QSKIP("needs Debian's apt-get and dpkg-deb");
    automoe::test::LocalDebianMirror mirror(m_dir.filePath("mirror").toStdString());
    mirror.setTranslation("en", "Package: x\nDescription-md5: 0123456789abcdef0123456789abcdef\nDescription-en: x\n\n");
    const std::string page = "usr/share/libreoffice/help/%1/text/swriter/guide/a.html";
    auto at = [&](const char* helpLang) { return QString::fromStdString(page).arg(helpLang).toStdString(); };
    const auto html = [](const char* helpLang, const char* text) {
      return automoe::testing::helpPageHtml(helpLang, {helpParagraph("par_id1", text)});
    };
    mirror.addPackage("libreoffice-help-en-us", "4:7.4.7-1",
                      {{at("en-US"), html("en-US", "Open the <span class=\"emph\">Format</span> menu.")}});
    mirror.addPackage("libreoffice-help-de", "4:7.4.7-1",
                      {{at("de"), html("de", "Öffnen Sie das Menü <span class=\"emph\">Format</span>.")}});
    mirror.writeRelease();
    AptArchive archive(m_dir.filePath("apt").toStdString(), mirror.uri(), mirror.suite());
    archive.update({"en"}, true, false, m_stop);
    const std::string work = m_dir.filePath("work").toStdString();
    const HelpHarvest h = HelpSource().harvestPackages(archive, work, {"de"}, m_stop);
    QCOMPARE(h.packages["libreoffice-help-de"].get<std::string>(), std::string("4:7.4.7-1"));
    QCOMPARE(h.packages["libreoffice-help-en-us"].get<std::string>(), std::string("4:7.4.7-1"));
    QCOMPARE(h.pairs.at("de").size(), size_t{1});
    QCOMPARE(h.pairs.at("de")[0].src, std::string("Open the Format menu."));
    QCOMPARE(h.pairs.at("de")[0].tgt, std::string("Öffnen Sie das Menü Format."));
    QCOMPARE(h.pairs.at("de")[0].origin, std::string("libreoffice-help:text/swriter/guide/a.html#par_id1"));
    QVERIFY(!std::filesystem::exists(work + "/unpacked-libreoffice-help"));  // removed after reading
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
