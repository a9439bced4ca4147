// AptArchive running the real apt-get against a local file: mirror that the test builds (a Release
// file, Translation indexes, a Packages index and a .deb made with dpkg-deb): the private apt
// state, what a second run reuses, --refresh, a missing index, and `apt-get download`.
#include <QtTest/QtTest>

#include <QTemporaryDir>
#include <filesystem>
#include <memory>
#include <string>

#include "data/apt_archive.h"
#include "support/local_debian_mirror.h"
#include "util/stop_token.h"

using namespace automoe;
using test::LocalDebianMirror;

class TestAptArchive final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  std::unique_ptr<LocalDebianMirror> m_mirror;
  std::string m_deb;
  StopToken m_stop;

  static std::string translation(const std::string& lang) {
    return "Package: hello-l10n\nDescription-md5: 0123456789abcdef0123456789abcdef\nDescription-" + lang +
           ": greeting in " + lang + "\n A package that says hello.\n\n";
  }

 private Q_SLOTS:
  void initTestCase() {
    if (!LocalDebianMirror::available()) QSKIP("needs Debian's apt-get and dpkg-deb");
    m_mirror = std::make_unique<LocalDebianMirror>(m_dir.filePath("mirror").toStdString());
    for (const char* l : {"en", "de", "fr"}) m_mirror->setTranslation(l, translation(l));
    m_deb = m_mirror->addPackage("hello-l10n", "1:1.2-3", {{"usr/share/doc/hello-l10n/hello.txt", "Hallo\n"}});
    m_mirror->writeRelease();
  }

  void updateFetchesIntoItsOwnFolderThenReuses() {
    const std::string dir = m_dir.filePath("apt").toStdString();
    std::vector<std::string> log;
    AptArchive archive(dir, m_mirror->uri(), "bookworm", [&](const std::string& l) { log.push_back(l); });
    QVERIFY(archive.update({"en", "de", "fr"}, true, false, m_stop));  // apt-get ran
    for (const char* l : {"en", "de", "fr"}) {
      QCOMPARE(AptArchive::readIndex(archive.translationFile(l)), translation(l));
      // A copy, not apt 3's link into a file: mirror (which would follow the mirror's changes).
      QVERIFY(!std::filesystem::is_symlink(archive.translationFile(l)));
    }
    QVERIFY(!archive.packagesFile().empty());
    // Everything apt wrote is under our folder.
    QVERIFY(QString::fromStdString(archive.translationFile("de")).startsWith(QString::fromStdString(dir + "/lists/")));
    QVERIFY(readTextFile(dir + "/sources.list").find("[trusted=yes] " + m_mirror->uri() + " bookworm main") !=
            std::string::npos);
    const auto info = archive.releaseInfo({"en", "de", "fr"});
    QCOMPARE(info["version"].get<std::string>(), std::string("12.99"));
    QCOMPARE(info["sha256"]["Translation-de"].get<std::string>(),
             LocalDebianMirror::sha256(m_mirror->dists() + "/main/i18n/Translation-de"));
    // The command asked for exactly these languages.
    bool asked = false;
    for (const auto& l : log) asked = asked || l.find("Acquire::Languages=en,de,fr") != std::string::npos;
    QVERIFY(asked);

    // A second run reuses the indexes; a refresh fetches again (and sees the mirror's change).
    QVERIFY(!archive.update({"en", "de", "fr"}, true, false, m_stop));
    const std::string changed = translation("de") + "Package: other\nDescription-md5: ffffffffffffffffffffffffffffffff\n"
                                                    "Description-de: noch eins\n\n";
    m_mirror->setTranslation("de", changed);
    m_mirror->writeRelease();
    QCOMPARE(AptArchive::readIndex(archive.translationFile("de")), translation("de"));
    QVERIFY(archive.update({"en", "de", "fr"}, true, true, m_stop));
    QCOMPARE(AptArchive::readIndex(archive.translationFile("de")), changed);
    m_mirror->setTranslation("de", translation("de"));
    m_mirror->writeRelease();
  }

  void aMissingIndexIsNamed() {
    AptArchive archive(m_dir.filePath("apt-it").toStdString(), m_mirror->uri(), "bookworm");
    try {
      archive.update({"en", "it"}, false, false, m_stop);
      QFAIL("expected an error");
    } catch (const std::runtime_error& e) {
      QVERIFY2(QString(e.what()).contains("Translation-it"), e.what());
    }
    AptArchive nowhere(m_dir.filePath("apt-none").toStdString(), "file:" + m_dir.filePath("no-mirror").toStdString(),
                       "bookworm");
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, nowhere.update({"en"}, false, false, m_stop));
  }

  void downloadFetchesOnceAndKeepsTheVersion() {
    const std::string dir = m_dir.filePath("apt").toStdString();
    std::vector<std::string> log;
    AptArchive archive(dir, m_mirror->uri(), "bookworm", [&](const std::string& l) { log.push_back(l); });
    archive.update({"en"}, true, false, m_stop);
    const std::string deb = archive.download({"hello-l10n"}, m_stop).at("hello-l10n");
    QCOMPARE(LocalDebianMirror::sha256(deb), LocalDebianMirror::sha256(m_deb));
    QCOMPARE(AptArchive::debVersion(deb), std::string("1:1.2-3"));
    log.clear();
    QCOMPARE(archive.download({"hello-l10n"}, m_stop).at("hello-l10n"), deb);  // reused
    QVERIFY(!log.empty() && log.back().find("reusing") != std::string::npos);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, archive.download({"no-such-package"}, m_stop));
  }
};

QTEST_APPLESS_MAIN(TestAptArchive)
#include "test_apt_archive.moc"
