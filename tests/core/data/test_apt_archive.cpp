// AptArchive running the real apt-get against a local file: mirror that the test builds (a Release
// file, Translation indexes, a Packages index and a .deb made with dpkg-deb): the private apt
// state, what a second run reuses, --refresh, a missing index, and `apt-get download`.
#include <QtTest/QtTest>

#include <QCryptographicHash>
#include <QTemporaryDir>
#include <filesystem>
#include <string>

#include "data/apt_archive.h"
#include "util/atomic_file.h"
#include "util/child_process.h"
#include "util/stop_token.h"

using namespace automoe;

class TestAptArchive final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  std::string m_mirror, m_arch;
  StopToken m_stop;

  static std::string sha256(const std::string& path) {
    const std::string bytes = readTextFile(path);
    return QCryptographicHash::hash(QByteArray::fromStdString(bytes), QCryptographicHash::Sha256).toHex().toStdString();
  }

  static void put(const std::string& path, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    writeFileAtomically(path, text);
  }

  static std::string translation(const std::string& lang) {
    return "Package: hello-l10n\nDescription-md5: 0123456789abcdef0123456789abcdef\nDescription-" + lang +
           ": greeting in " + lang + "\n A package that says hello.\n\n";
  }

  // dists/<suite>/Release listing `files` (paths under dists/<suite>/) with their SHA256 and size.
  void writeRelease(const std::string& suite, const std::vector<std::string>& files) {
    const std::string dists = m_mirror + "/dists/" + suite;
    std::string release = "Origin: Test\nLabel: Test\nSuite: " + suite + "\nVersion: 12.99\nCodename: " + suite +
                          "\nDate: Sat, 01 Jan 2000 00:00:00 UTC\nArchitectures: " + m_arch +
                          "\nComponents: main\nSHA256:\n";
    for (const auto& f : files)
      release += " " + sha256(dists + "/" + f) + " " + std::to_string(std::filesystem::file_size(dists + "/" + f)) +
                 " " + f + "\n";
    put(dists + "/Release", release);
  }

  std::string mirrorUri() const { return "file:" + m_mirror; }

 private Q_SLOTS:
  void initTestCase() {
    if (QStandardPaths::findExecutable("apt-get").isEmpty() || QStandardPaths::findExecutable("dpkg-deb").isEmpty())
      QSKIP("needs Debian's apt-get and dpkg-deb");
    m_arch = runChild({"dpkg", "--print-architecture"}).out;
    while (!m_arch.empty() && m_arch.back() == '\n') m_arch.pop_back();
    m_mirror = m_dir.filePath("mirror").toStdString();
    const std::string dists = m_mirror + "/dists/bookworm/main";
    for (const char* l : {"en", "de", "fr"}) put(dists + "/i18n/Translation-" + l, translation(l));

    // A package for `apt-get download`.
    const std::string root = m_dir.filePath("pkg").toStdString();
    put(root + "/DEBIAN/control",
                        "Package: hello-l10n\nVersion: 1:1.2-3\nArchitecture: all\nMaintainer: Test <t@example.org>\n"
                        "Description: test package\n");
    put(root + "/usr/share/locale/de/LC_MESSAGES/hello.txt", "Hallo\n");
    const std::string pool = "pool/main/h/hello-l10n/hello-l10n_1.2-3_all.deb";
    std::filesystem::create_directories(std::filesystem::path(m_mirror + "/" + pool).parent_path());
    const ChildResult built = runChild({"dpkg-deb", "--root-owner-group", "--build", root, m_mirror + "/" + pool});
    QVERIFY2(built.exitCode == 0, built.err.c_str());
    const std::string deb = m_mirror + "/" + pool;
    put(dists + "/binary-" + m_arch + "/Packages",
                        "Package: hello-l10n\nVersion: 1:1.2-3\nArchitecture: all\nMaintainer: Test <t@example.org>\n"
                        "Filename: " + pool + "\nSize: " + std::to_string(std::filesystem::file_size(deb)) +
                            "\nSHA256: " + sha256(deb) + "\nDescription: test package\n\n");
    writeRelease("bookworm", {"main/i18n/Translation-en", "main/i18n/Translation-de", "main/i18n/Translation-fr",
                              "main/binary-" + m_arch + "/Packages"});
  }

  void updateFetchesIntoItsOwnFolderThenReuses() {
    const std::string dir = m_dir.filePath("apt").toStdString();
    std::vector<std::string> log;
    AptArchive archive(dir, mirrorUri(), "bookworm", [&](const std::string& l) { log.push_back(l); });
    QVERIFY(archive.update({"en", "de", "fr"}, true, false, m_stop));  // apt-get ran
    for (const char* l : {"en", "de", "fr"})
      QCOMPARE(AptArchive::readIndex(archive.translationFile(l)), translation(l));
    QVERIFY(!archive.packagesFile().empty());
    // Everything apt wrote is under our folder: the lists there, the system's untouched by us.
    QVERIFY(QString::fromStdString(archive.translationFile("de")).startsWith(QString::fromStdString(dir + "/lists/")));
    QVERIFY(readTextFile(dir + "/sources.list").find("[trusted=yes] " + mirrorUri() + " bookworm main") !=
            std::string::npos);
    const auto info = archive.releaseInfo({"en", "de", "fr"});
    QCOMPARE(info["version"].get<std::string>(), std::string("12.99"));
    QCOMPARE(info["sha256"]["Translation-de"].get<std::string>(),
             sha256(m_mirror + "/dists/bookworm/main/i18n/Translation-de"));
    // The command asked for exactly these languages.
    bool asked = false;
    for (const auto& l : log) asked = asked || l.find("Acquire::Languages=en,de,fr") != std::string::npos;
    QVERIFY(asked);

    // A second run reuses the indexes; --refresh fetches again (and sees the mirror's change).
    QVERIFY(!archive.update({"en", "de", "fr"}, true, false, m_stop));
    const std::string changed = translation("de") + "Package: other\nDescription-md5: ffffffffffffffffffffffffffffffff\n"
                                                    "Description-de: noch eins\n\n";
    put(m_mirror + "/dists/bookworm/main/i18n/Translation-de", changed);
    writeRelease("bookworm", {"main/i18n/Translation-en", "main/i18n/Translation-de", "main/i18n/Translation-fr",
                              "main/binary-" + m_arch + "/Packages"});
    QCOMPARE(AptArchive::readIndex(archive.translationFile("de")), translation("de"));
    QVERIFY(archive.update({"en", "de", "fr"}, true, true, m_stop));
    QCOMPARE(AptArchive::readIndex(archive.translationFile("de")), changed);
    put(m_mirror + "/dists/bookworm/main/i18n/Translation-de", translation("de"));
    writeRelease("bookworm", {"main/i18n/Translation-en", "main/i18n/Translation-de", "main/i18n/Translation-fr",
                              "main/binary-" + m_arch + "/Packages"});
  }

  void aMissingIndexIsNamed() {
    AptArchive archive(m_dir.filePath("apt-it").toStdString(), mirrorUri(), "bookworm");
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
    AptArchive archive(dir, mirrorUri(), "bookworm", [&](const std::string& l) { log.push_back(l); });
    archive.update({"en"}, true, false, m_stop);
    const auto debs = archive.download({"hello-l10n"}, m_stop);
    const std::string deb = debs.at("hello-l10n");
    QCOMPARE(sha256(deb), sha256(m_mirror + "/pool/main/h/hello-l10n/hello-l10n_1.2-3_all.deb"));
    QCOMPARE(AptArchive::debVersion(deb), std::string("1:1.2-3"));
    log.clear();
    QCOMPARE(archive.download({"hello-l10n"}, m_stop).at("hello-l10n"), deb);  // reused
    QVERIFY(!log.empty() && log.back().find("reusing") != std::string::npos);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, archive.download({"no-such-package"}, m_stop));
  }
};

QTEST_APPLESS_MAIN(TestAptArchive)
#include "test_apt_archive.moc"
