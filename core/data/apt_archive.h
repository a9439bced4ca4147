#pragma once
// A private view of the Debian archive through apt, for the corpus builder. Everything apt writes
// goes under one folder (lists, cache, sources.list, downloaded .debs), so it runs as root or as
// an ordinary user without touching the system's apt state, and a second run reuses what the
// first downloaded.
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace automoe {

class StopToken;

class AptArchive {
 public:
  using Log = std::function<void(const std::string&)>;

  AptArchive(std::string dir, std::string mirror, std::string suite, Log log = {});

  // Runs `apt-get update` for the Translation-<lang> indexes of `main` (and the Packages index
  // when `withPackages`) unless they are already here and `refresh` is false. Returns true when
  // apt-get ran. Throws std::runtime_error with apt's message on failure.
  bool update(const std::vector<std::string>& langs, bool withPackages, bool refresh,
              const StopToken& stop);

  // Paths of the downloaded indexes (possibly compressed); empty if absent.
  std::string translationFile(const std::string& lang) const;
  std::string packagesFile() const;

  // Origin, Suite, Version, Codename and Date of the release file, plus the SHA256 of each
  // Translation-<lang> that it lists.
  nlohmann::json releaseInfo(const std::vector<std::string>& langs) const;

  // `apt-get download` of the packages not yet in <dir>/debs. Returns package -> .deb path.
  std::map<std::string, std::string> download(const std::vector<std::string>& packages,
                                              const StopToken& stop);

  // Decompressed text of an index file (apt-helper cat-file handles .gz .xz .bz2 .lz4 .zst and
  // plain files).
  static std::string readIndex(const std::string& path);

  // `dpkg-deb -x` of a downloaded package into `dir` (created, added to what is there). Throws
  // std::runtime_error with dpkg-deb's message on failure, after removing `dir`.
  static void unpack(const std::string& debPath, const std::string& dir);

  // "name_1%3a2.3-1_amd64.deb" -> "1:2.3-1".
  static std::string debVersion(const std::string& debPath);

 private:
  std::vector<std::string> aptCommand(const std::string& verb) const;
  std::string findList(const std::string& infix) const;

  std::string m_dir, m_mirror, m_suite;
  Log m_log;
};

}  // namespace automoe
