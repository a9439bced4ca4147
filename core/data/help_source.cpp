#include "data/help_source.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "data/apt_archive.h"
#include "data/fingerprint.h"
#include "data/help_page.h"
#include "util/atomic_file.h"
#include "util/stop_token.h"

namespace fs = std::filesystem;

namespace automoe {

namespace {

// Where the packages put the help: <unpacked>/usr/share/libreoffice/help/<help language>/.
constexpr const char* kHelpPrefix = "/usr/share/libreoffice/help";

void checkStop(const StopToken& stop) {
  if (stop.stopRequested()) throw std::runtime_error("stopped");
}

}  // namespace

nlohmann::json HelpHarvest::alignmentJson() const {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [lang, s] : stats)
    j[lang] = {{"pages", s.pages},
               {"missing_pages", s.missingPages},
               {"paragraphs", s.paragraphs},
               {"matched", s.matched},
               {"empty", s.empty},
               {"unmatched", s.unmatched},
               {"only_translated", s.onlyTranslated},
               {"ambiguous", s.ambiguous},
               {"placeholder", s.placeholder},
               {"sentence_pairs", s.sentencePairs},
               {"pairs", s.pairs}};
  return j;
}

std::string HelpSource::helpLanguage(const std::string& lang) {
  return lang == "en" ? "en-US" : lang;
}

std::string HelpSource::packageName(const std::string& lang) {
  return lang == "en" ? "libreoffice-help-en-us" : "libreoffice-help-" + lang;
}

std::vector<std::string> HelpSource::findPages(const std::string& root, const std::string& lang) {
  std::vector<std::string> out;
  const fs::path base = fs::path(root) / helpLanguage(lang);
  if (!fs::is_directory(base / "text")) return out;
  for (const auto& e : fs::recursive_directory_iterator(base / "text")) {
    if (!e.is_regular_file() || e.path().extension() != ".html") continue;
    out.push_back(e.path().lexically_relative(base).generic_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string HelpSource::fingerprint(const std::string& root,
                                    const std::vector<std::string>& langs) {
  uint64_t h = fnv1a64("libreoffice-help");
  std::vector<std::string> all{"en"};
  all.insert(all.end(), langs.begin(), langs.end());
  for (const auto& lang : all) {
    h = fnv1a64("\n" + lang + "\n", h);
    for (const auto& page : findPages(root, lang)) {
      h = fnv1a64(page + "\n", h);
      h = fnv1a64(readTextFile(root + "/" + helpLanguage(lang) + "/" + page), h);
    }
  }
  return hex64(h);
}

HelpHarvest HelpSource::harvestDir(const std::string& root, const std::vector<std::string>& langs,
                                   const StopToken& stop) {
  const std::vector<std::string> pages = findPages(root, "en");
  if (pages.empty())
    throw std::runtime_error("libreoffice-help: no English pages (" + root + "/" +
                             helpLanguage("en") + "/text/.../*.html)");
  std::vector<std::string> targets;
  for (const auto& lang : langs) {
    if (fs::is_directory(root + "/" + helpLanguage(lang) + "/text"))
      targets.push_back(lang);
    else
      log("libreoffice-help: no " + lang + " pages in " + root + ": none for en-" + lang);
  }
  HelpHarvest h;
  std::map<std::string, HelpPageAligner> aligners;
  for (const auto& page : pages) {
    checkStop(stop);
    const HelpPage en = HelpPage::parse(readTextFile(root + "/" + helpLanguage("en") + "/" + page));
    for (const auto& lang : targets) {
      const std::string path = root + "/" + helpLanguage(lang) + "/" + page;
      if (!fs::is_regular_file(path)) {
        aligners[lang].countMissingPage();
        continue;
      }
      aligners[lang].align(en, HelpPage::parse(readTextFile(path)), std::string(kName) + ":" + page,
                           h.pairs[lang]);
    }
  }
  for (const auto& lang : targets) {
    const HelpAlignStats& s = h.stats[lang] = aligners[lang].stats();
    log("libreoffice-help: en-" + lang + ": " + std::to_string(s.pages) + " pages, " +
        std::to_string(s.paragraphs) + " paragraphs, " + std::to_string(s.matched) + " aligned, " +
        std::to_string(s.pairs) + " candidate pairs");
  }
  return h;
}

HelpHarvest HelpSource::harvestPackages(AptArchive& archive, const std::string& workDir,
                                        const std::vector<std::string>& langs,
                                        const StopToken& stop) {
  std::vector<std::string> packages{packageName("en")};
  for (const auto& lang : langs) packages.push_back(packageName(lang));
  const auto debs = archive.download(packages, stop);
  const std::string unpacked = workDir + "/unpacked-" + kName;
  fs::remove_all(unpacked);
  nlohmann::json versions = nlohmann::json::object();
  HelpHarvest h;
  try {  // the unpacked tree goes away whatever happens (a stop, a bad package, a parse error)
    for (const auto& [package, deb] : debs) {
      checkStop(stop);
      versions[package] = AptArchive::debVersion(deb);
      AptArchive::unpack(deb, unpacked);
      log("libreoffice-help: " + package + " " + versions[package].get<std::string>());
    }
    h = harvestDir(unpacked + kHelpPrefix, langs, stop);
  } catch (...) {
    fs::remove_all(unpacked);
    throw;
  }
  fs::remove_all(unpacked);
  h.packages = std::move(versions);
  return h;
}

}  // namespace automoe
