#pragma once
// A Debian archive in a local folder, for tests that run the real apt-get against a file: mirror:
// dists/<suite>/main/i18n/Translation-<lang>, dists/<suite>/main/binary-<arch>/Packages and
// packages built with dpkg-deb, listed with their SHA256 and size in dists/<suite>/Release.
// Unsigned: AptArchive trusts file: mirrors.
#include <QCryptographicHash>
#include <QStandardPaths>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "util/atomic_file.h"
#include "util/child_process.h"

namespace automoe::test {

class LocalDebianMirror {
 public:
  // Whether this machine has the tools (apt-get, dpkg-deb, dpkg).
  static bool available() {
    for (const char* tool : {"apt-get", "dpkg-deb", "dpkg"})
      if (QStandardPaths::findExecutable(tool).isEmpty()) return false;
    return true;
  }

  LocalDebianMirror(std::string root, std::string suite = "bookworm") : m_root(std::move(root)), m_suite(std::move(suite)) {
    m_arch = runChild({"dpkg", "--print-architecture"}).out;
    while (!m_arch.empty() && m_arch.back() == '\n') m_arch.pop_back();
  }

  std::string uri() const { return "file:" + m_root; }
  std::string root() const { return m_root; }
  std::string suite() const { return m_suite; }
  std::string dists() const { return m_root + "/dists/" + m_suite; }

  static void put(const std::string& path, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    writeFileAtomically(path, text);
  }

  static std::string sha256(const std::string& path) {
    return QCryptographicHash::hash(QByteArray::fromStdString(readTextFile(path)), QCryptographicHash::Sha256)
        .toHex()
        .toStdString();
  }

  void setTranslation(const std::string& lang, const std::string& text) {
    put(dists() + "/main/i18n/Translation-" + lang, text);
    m_indexes["main/i18n/Translation-" + lang] = true;
  }

  // Builds <name>_<version without epoch>_all.deb with `files` (path under / -> content) and
  // adds it to the Packages index. Returns the .deb's path in the pool.
  std::string addPackage(const std::string& name, const std::string& version,
                         const std::map<std::string, std::string>& files) {
    const std::string tree = m_root + "/../build-" + name;
    std::filesystem::remove_all(tree);
    put(tree + "/DEBIAN/control", "Package: " + name + "\nVersion: " + version +
                                      "\nArchitecture: all\nMaintainer: Test <t@example.org>\nDescription: test\n");
    for (const auto& [path, content] : files) put(tree + "/" + path, content);
    const size_t colon = version.find(':');
    const std::string pool = "pool/main/" + name.substr(0, 1) + "/" + name + "/" + name + "_" +
                             (colon == std::string::npos ? version : version.substr(colon + 1)) + "_all.deb";
    std::filesystem::create_directories(std::filesystem::path(m_root + "/" + pool).parent_path());
    const ChildResult r = runChild({"dpkg-deb", "--root-owner-group", "--build", tree, m_root + "/" + pool});
    if (r.exitCode != 0) throw std::runtime_error("dpkg-deb --build failed: " + r.err);
    std::filesystem::remove_all(tree);
    const std::string deb = m_root + "/" + pool;
    m_packages += "Package: " + name + "\nVersion: " + version +
                  "\nArchitecture: all\nMaintainer: Test <t@example.org>\nFilename: " + pool +
                  "\nSize: " + std::to_string(std::filesystem::file_size(deb)) + "\nSHA256: " + sha256(deb) +
                  "\nDescription: test\n\n";
    put(dists() + "/main/binary-" + m_arch + "/Packages", m_packages);
    m_indexes["main/binary-" + m_arch + "/Packages"] = true;
    return deb;
  }

  // (Re)writes dists/<suite>/Release for the indexes as they are now; call after any change.
  void writeRelease() const {
    std::string release = "Origin: Test\nLabel: Test\nSuite: " + m_suite + "\nVersion: 12.99\nCodename: " + m_suite +
                          "\nDate: Sat, 01 Jan 2000 00:00:00 UTC\nArchitectures: " + m_arch +
                          "\nComponents: main\nSHA256:\n";
    for (const auto& [f, _] : m_indexes)
      release += " " + sha256(dists() + "/" + f) + " " + std::to_string(std::filesystem::file_size(dists() + "/" + f)) +
                 " " + f + "\n";
    put(dists() + "/Release", release);
  }

 private:
  std::string m_root, m_suite, m_arch, m_packages;
  std::map<std::string, bool> m_indexes;  // index path under dists/<suite>/ -> present
};

}  // namespace automoe::test
