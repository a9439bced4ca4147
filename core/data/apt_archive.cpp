#include "data/apt_archive.h"

#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "util/atomic_file.h"
#include "util/child_process.h"
#include "util/stop_token.h"

namespace fs = std::filesystem;

namespace automoe {

namespace {

const char* const kKeyring = "/usr/share/keyrings/debian-archive-keyring.gpg";
const char* const kCompressed[] = {"", ".lz4", ".gz", ".xz", ".bz2", ".zst", ".lzma"};

std::string tail(const std::string& text, size_t maxChars = 2000) {
  return text.size() <= maxChars ? text : "..." + text.substr(text.size() - maxChars);
}

void checkChild(const ChildResult& r, const std::vector<std::string>& cmd) {
  if (r.stopped) throw std::runtime_error("stopped while running " + cmd[0]);
  if (r.exitCode != 0)
    throw std::runtime_error(describeCommand(cmd) + " failed (exit " + std::to_string(r.exitCode) +
                             "):\n" + tail(r.err.empty() ? r.out : r.err));
}

// apt 3 (Debian 13) links the uncompressed indexes of a file: mirror into lists/ instead of storing
// a copy (apt 2.6 stores an lz4 copy). Replace each link by a copy, so that the folder keeps what
// was fetched and a reused index does not follow later changes of the mirror.
void copyLinkedIndexes(const std::string& lists) {
  for (const auto& e : fs::directory_iterator(lists)) {
    if (!e.is_symlink() || !fs::is_regular_file(e.path())) continue;  // a dangling link stays
    copyFileAtomically(fs::canonical(e.path()).string(), e.path().string());  // replaces the link itself
  }
}

}  // namespace

AptArchive::AptArchive(std::string dir, std::string mirror, std::string suite, Log log)
    : m_dir(fs::absolute(dir).lexically_normal().string()),
      m_mirror(std::move(mirror)),
      m_suite(std::move(suite)),
      m_log(std::move(log)) {
  while (m_mirror.size() > 1 && m_mirror.back() == '/') m_mirror.pop_back();
}

std::vector<std::string> AptArchive::aptCommand(const std::string& verb) const {
  std::vector<std::string> cmd{"apt-get", verb, "-q"};
  const auto opt = [&](const std::string& o) {
    cmd.push_back("-o");
    cmd.push_back(o);
  };
  opt("Dir::Etc::SourceList=" + m_dir + "/sources.list");
  opt("Dir::Etc::SourceParts=" + m_dir + "/sources.list.d");
  opt("Dir::State::Lists=" + m_dir + "/lists");
  opt("Dir::Cache=" + m_dir + "/cache");
  opt("Dir::Cache::pkgcache=");
  opt("Dir::Cache::srcpkgcache=");
  opt("Debug::NoLocking=1");
  // As root, apt downloads as the unprivileged _apt user, who cannot write into our folder.
  if (::geteuid() == 0) opt("APT::Sandbox::User=root");
  return cmd;
}

bool AptArchive::update(const std::vector<std::string>& langs, bool withPackages, bool refresh,
                        const StopToken& stop) {
  bool present = withPackages ? !packagesFile().empty() : true;
  for (const auto& l : langs) present = present && !translationFile(l).empty();
  if (present && !refresh) {
    if (m_log) m_log("apt: reusing the indexes in " + m_dir + "/lists (--refresh downloads again)");
    return false;
  }
  for (const char* sub : {"lists/partial", "cache/archives/partial", "sources.list.d", "debs"})
    fs::create_directories(m_dir + "/" + sub);
  std::string line = "deb ";
  // A file: mirror is a folder of this machine that the user chose (a copy of the archive or a
  // test fixture), often unsigned: apt would refuse it.
  if (m_mirror.rfind("file:", 0) == 0)
    line += "[trusted=yes] ";
  else if (fs::exists(kKeyring))
    line += std::string("[signed-by=") + kKeyring + "] ";
  line += m_mirror + " " + m_suite + " main\n";
  const std::string sources = m_dir + "/sources.list";
  if (!fs::exists(sources) || readTextFile(sources) != line) writeFileAtomically(sources, line);

  std::vector<std::string> cmd = aptCommand("update");
  std::string joined;
  for (const auto& l : langs) joined += (joined.empty() ? "" : ",") + l;
  cmd.insert(cmd.end(), {"-o", "Acquire::Languages=" + joined});
  if (!withPackages)
    cmd.insert(cmd.end(), {"-o", "Acquire::IndexTargets::deb::Packages::DefaultEnabled=false"});
  if (m_log) m_log("apt: " + describeCommand(cmd));
  ChildOptions o;
  o.stop = &stop;
  o.forwardStderr = true;
  const ChildResult r = runChild(cmd, o);
  if (m_log)
    for (size_t start = 0; start < r.out.size();) {
      size_t end = r.out.find('\n', start);
      if (end == std::string::npos) end = r.out.size();
      if (end > start) m_log("apt: " + r.out.substr(start, end - start));
      start = end + 1;
    }
  checkChild(r, cmd);
  copyLinkedIndexes(m_dir + "/lists");
  for (const auto& l : langs)
    if (translationFile(l).empty())
      throw std::runtime_error("apt-get update did not fetch Translation-" + l + " of " + m_mirror +
                               " " + m_suite + " main (is the mirror reachable?)");
  if (withPackages && packagesFile().empty())
    throw std::runtime_error("apt-get update did not fetch the Packages index of " + m_mirror);
  return true;
}

std::string AptArchive::findList(const std::string& infix) const {
  const fs::path lists = m_dir + "/lists";
  if (!fs::is_directory(lists)) return {};
  std::string best;
  for (const auto& e : fs::directory_iterator(lists)) {
    const std::string name = e.path().filename().string();
    const size_t at = name.find(infix);
    if (at == std::string::npos || !e.is_regular_file()) continue;
    const std::string rest = name.substr(at + infix.size());
    for (const char* ext : kCompressed)
      if (rest == ext && (best.empty() || name < fs::path(best).filename().string()))
        best = e.path().string();
  }
  return best;
}

std::string AptArchive::translationFile(const std::string& lang) const {
  return findList("_dists_" + m_suite + "_main_i18n_Translation-" + lang);
}

std::string AptArchive::packagesFile() const {
  const fs::path lists = m_dir + "/lists";
  if (!fs::is_directory(lists)) return {};
  const std::string infix = "_dists_" + m_suite + "_main_binary-";
  for (const auto& e : fs::directory_iterator(lists)) {
    const std::string name = e.path().filename().string();
    const size_t at = name.find(infix), pk = name.rfind("_Packages");
    if (at == std::string::npos || pk == std::string::npos || pk < at) continue;
    const std::string rest = name.substr(pk + 9);
    for (const char* ext : kCompressed)
      if (rest == ext) return e.path().string();
  }
  return {};
}

nlohmann::json AptArchive::releaseInfo(const std::vector<std::string>& langs) const {
  std::string path = findList("_dists_" + m_suite + "_InRelease");
  if (path.empty()) path = findList("_dists_" + m_suite + "_Release");
  nlohmann::json info = {{"mirror", m_mirror}, {"suite", m_suite}, {"component", "main"}};
  if (path.empty()) return info;
  const std::string text = readTextFile(path);
  bool inSha = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    if (line[0] != ' ') {
      inSha = line == "SHA256:";
      for (const char* f : {"Origin", "Suite", "Version", "Codename", "Date"}) {
        const std::string key = std::string(f) + ": ";
        if (line.rfind(key, 0) == 0) {
          std::string k = f;
          k[0] = static_cast<char>(k[0] - 'A' + 'a');
          info[k] = line.substr(key.size());
        }
      }
      continue;
    }
    if (!inSha) continue;
    for (const auto& l : langs) {
      const std::string want = " main/i18n/Translation-" + l;
      if (line.size() > want.size() &&
          line.compare(line.size() - want.size(), want.size(), want) == 0)
        info["sha256"]["Translation-" + l] = line.substr(1, 64);
    }
  }
  return info;
}

std::map<std::string, std::string> AptArchive::download(const std::vector<std::string>& packages,
                                                        const StopToken& stop) {
  const fs::path debs = m_dir + "/debs";
  fs::create_directories(debs);
  const auto findDeb = [&](const std::string& p) -> std::string {
    std::string found;
    for (const auto& e : fs::directory_iterator(debs)) {
      const std::string name = e.path().filename().string();
      if (name.rfind(p + "_", 0) == 0 && name.size() > 4 &&
          name.compare(name.size() - 4, 4, ".deb") == 0 && (found.empty() || name > found))
        found = name;
    }
    return found.empty() ? found : (debs / found).string();
  };
  std::vector<std::string> cmd = aptCommand("download");
  size_t missing = 0;
  for (const auto& p : packages)
    if (findDeb(p).empty()) cmd.push_back(p), ++missing;
  if (missing > 0) {
    if (m_log) m_log("apt: downloading " + std::to_string(missing) + " package(s)");
    ChildOptions o;
    o.stop = &stop;
    o.workingDirectory = debs.string();
    checkChild(runChild(cmd, o), cmd);
  } else if (m_log) {
    m_log("apt: reusing " + std::to_string(packages.size()) + " downloaded package(s)");
  }
  std::map<std::string, std::string> out;
  for (const auto& p : packages) {
    out[p] = findDeb(p);
    if (out[p].empty()) throw std::runtime_error("apt-get download did not produce " + p);
  }
  return out;
}

std::string AptArchive::readIndex(const std::string& path) {
  const size_t dot = path.find_last_of('.'), slash = path.find_last_of('/');
  const std::string ext = dot != std::string::npos && (slash == std::string::npos || dot > slash)
                              ? path.substr(dot)
                              : "";
  bool plain = true;
  for (const char* c : kCompressed)
    if (*c && ext == c) plain = false;
  if (plain) return readTextFile(path);
  const std::vector<std::string> cmd{"/usr/lib/apt/apt-helper", "cat-file", path};
  const ChildResult r = runChild(cmd);
  checkChild(r, cmd);
  return r.out;
}

void AptArchive::unpack(const std::string& debPath, const std::string& dir) {
  fs::create_directories(dir);
  const std::vector<std::string> cmd{"dpkg-deb", "-x", debPath, dir};
  const ChildResult r = runChild(cmd);
  if (r.exitCode != 0) fs::remove_all(dir);  // no half-unpacked tree left behind
  checkChild(r, cmd);
}

std::string AptArchive::debVersion(const std::string& debPath) {
  const std::string name = fs::path(debPath).filename().string();
  const size_t a = name.find('_'), b = name.rfind('_');
  if (a == std::string::npos || b <= a) return {};
  std::string v = name.substr(a + 1, b - a - 1);
  for (size_t i; (i = v.find("%3a")) != std::string::npos;) v.replace(i, 3, ":");
  return v;
}

}  // namespace automoe
