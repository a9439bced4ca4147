// GettextSource::harvest end to end on a local file: mirror: apt-get download of a package whose
// .mo catalogs (compiled by msgfmt) sit under usr/share/locale/<lang>/LC_MESSAGES, unpacking,
// reading per target language, the package version and each pair's origin, and reuse.
#include <QtTest/QtTest>

#include <QTemporaryDir>
#include <filesystem>
#include <memory>
#include <string>

#include "data/apt_archive.h"
#include "data/gettext_source.h"
#include "support/local_debian_mirror.h"
#include "util/child_process.h"
#include "util/stop_token.h"

using namespace automoe;
using test::LocalDebianMirror;

class TestGettextSource final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  std::unique_ptr<LocalDebianMirror> m_mirror;
  StopToken m_stop;

  // A compiled catalog of (msgid, msgstr) entries.
  std::string mo(const std::string& name, const std::vector<std::pair<std::string, std::string>>& entries) {
    std::string po = "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=UTF-8\\n\"\n\n";
    for (const auto& [id, str] : entries) po += "msgid \"" + id + "\"\nmsgstr \"" + str + "\"\n\n";
    const std::string poPath = m_dir.filePath(QString::fromStdString(name + ".po")).toStdString();
    const std::string moPath = m_dir.filePath(QString::fromStdString(name + ".mo")).toStdString();
    LocalDebianMirror::put(poPath, po);
    const ChildResult r = runChild({"msgfmt", "-o", moPath, poPath});
    if (r.exitCode != 0) throw std::runtime_error("msgfmt: " + r.err);
    return readTextFile(moPath);
  }

 private Q_SLOTS:
  void initTestCase() {
    if (!LocalDebianMirror::available() || QStandardPaths::findExecutable("msgfmt").isEmpty() ||
        QStandardPaths::findExecutable("msgunfmt").isEmpty())
      QSKIP("needs Debian's apt-get, dpkg-deb and gettext");
    m_mirror = std::make_unique<LocalDebianMirror>(m_dir.filePath("mirror").toStdString());
    m_mirror->setTranslation("en", "Package: hello-l10n\nDescription-md5: 0123456789abcdef0123456789abcdef\nDescription-en: hello\n\n");
    m_mirror->addPackage(
        "hello-l10n", "2:0.9-1",
        {{"usr/share/locale/de/LC_MESSAGES/hello.mo",
          mo("de", {{"Open the selected file now", "Die ausgewählte Datei jetzt öffnen"},
                    {"Save all of your documents", "Alle Ihre Dokumente speichern"},
                    {"Delete %d files from the disk", "Dateien von der Platte löschen"}})},  // placeholder lost: dropped
         {"usr/share/locale/de_AT/LC_MESSAGES/hello.mo",
          mo("de_AT", {{"Close every open window", "Alle offenen Fenster schließen"}})},  // not exactly "de"
         {"usr/share/locale/fr/LC_MESSAGES/hello.mo",
          mo("fr", {{"Open the selected file now", "Ouvrir maintenant le fichier choisi"}})}});
    m_mirror->writeRelease();
  }

  void harvestsCatalogsPerLanguageWithOrigins() {
    const std::string dir = m_dir.filePath("apt").toStdString();
    std::vector<std::string> log;
    AptArchive archive(dir, m_mirror->uri(), "bookworm", [&](const std::string& l) { log.push_back(l); });
    archive.update({"en"}, true, false, m_stop);
    GettextSource source(archive, m_dir.filePath("work").toStdString());
    const GettextHarvest h = source.harvest({"hello-l10n"}, {"de", "fr"}, m_stop);
    QCOMPARE(h.packages["hello-l10n"].get<std::string>(), std::string("2:0.9-1"));
    QCOMPARE(h.catalogs, int64_t(2));  // de and fr; de_AT is another locale
    QCOMPARE(h.pairs.at("de").size(), size_t(2));
    QCOMPARE(h.pairs.at("fr").size(), size_t(1));
    bool saved = false;
    for (const auto& p : h.pairs.at("de")) {
      QCOMPARE(QString::fromStdString(p.origin), QString("gettext:hello-l10n/hello"));
      QVERIFY(p.tgt != "Alle offenen Fenster schließen");
      saved = saved || (p.src == "Save all of your documents" && p.tgt == "Alle Ihre Dokumente speichern");
    }
    QVERIFY(saved);
    QCOMPARE(h.pairs.at("fr").front().tgt, std::string("Ouvrir maintenant le fichier choisi"));
    int64_t dropped = 0;
    for (const auto& [why, n] : h.dropped) dropped += n;
    QCOMPARE(dropped, int64_t(1));  // the pair that lost its placeholder
    // The unpacked tree is gone; the .deb stays for the next run, which reuses it.
    QVERIFY(!std::filesystem::exists(m_dir.filePath("work/unpacked-hello-l10n").toStdString()));
    log.clear();
    const GettextHarvest again = source.harvest({"hello-l10n"}, {"de", "fr"}, m_stop);
    QCOMPARE(again.pairs.at("de").size(), h.pairs.at("de").size());
    bool reused = false;
    for (const auto& l : log) reused = reused || l.find("reusing") != std::string::npos;
    QVERIFY(reused);
  }
};

QTEST_APPLESS_MAIN(TestGettextSource)
#include "test_gettext_source.moc"
