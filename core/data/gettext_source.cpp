#include "data/gettext_source.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "data/apt_archive.h"
#include "data/gettext_catalog.h"
#include "util/stop_token.h"

namespace fs = std::filesystem;

namespace automoe {

std::vector<std::string> GettextSource::findCatalogs(const std::string& root,
                                                     const std::string& lang) {
  std::vector<std::string> out;
  if (!fs::is_directory(root)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file() || e.path().extension() != ".mo") continue;
    const fs::path dir = e.path().parent_path();
    if (dir.filename() != "LC_MESSAGES" || dir.parent_path().filename() != lang) continue;
    out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

GettextHarvest GettextSource::harvest(const std::vector<std::string>& packages,
                                      const std::vector<std::string>& langs,
                                      const StopToken& stop) {
  GettextHarvest h;
  const auto debs = m_archive.download(packages, stop);
  for (const auto& [package, deb] : debs) {
    if (stop.stopRequested()) throw std::runtime_error("stopped");
    h.packages[package] = AptArchive::debVersion(deb);
    const std::string root = m_workDir + "/unpacked-" + package;
    fs::remove_all(root);
    AptArchive::unpack(deb, root);
    int64_t before = 0;
    for (const auto& [l, v] : h.pairs) before += static_cast<int64_t>(v.size());
    for (const auto& lang : langs) {
      for (const auto& mo : findCatalogs(root, lang)) {
        const std::string domain = fs::path(mo).stem().string();
        const GettextCatalog cat = GettextCatalog::readMo(mo, "gettext:" + package + "/" + domain);
        auto& dst = h.pairs[lang];
        dst.insert(dst.end(), cat.pairs().begin(), cat.pairs().end());
        for (const auto& [why, n] : cat.dropped()) h.dropped[why] += n;
        ++h.catalogs;
      }
    }
    fs::remove_all(root);
    int64_t after = 0;
    for (const auto& [l, v] : h.pairs) after += static_cast<int64_t>(v.size());
    if (m_log)
      m_log("gettext: " + package + " " + h.packages[package].get<std::string>() + ": " +
            std::to_string(after - before) + " catalog entries");
  }
  return h;
}

}  // namespace automoe
