#pragma once
// The "libreoffice-help" corpus source: LibreOffice's translated help (HTML). Either downloads
// libreoffice-help-en-us and libreoffice-help-<lang> with apt and unpacks them, or reads an
// already unpacked tree (data.help_dir) with the layout of /usr/share/libreoffice/help:
//   <root>/en-US/text/<module>/.../<page>.html   and the same paths under <root>/de, <root>/fr
// Each English page is aligned with the translated page of the same path by paragraph id
// (HelpPageAligner); origins read "libreoffice-help:text/<module>/.../<page>.html#<id>".
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/help_page_aligner.h"
#include "data/sentence_pair.h"

namespace automoe {

class AptArchive;
class StopToken;

struct HelpHarvest {
  std::map<std::string, std::vector<SentencePair>> pairs;  // target language -> pairs
  std::map<std::string, HelpAlignStats> stats;             // target language -> alignment
  nlohmann::json packages = nlohmann::json::object();      // package -> version (downloads)

  // {"<lang>": {"pages": .., "missing_pages": .., "paragraphs": .., ...}} for the manifest.
  nlohmann::json alignmentJson() const;
};

class HelpSource {
 public:
  using Log = std::function<void(const std::string&)>;
  static constexpr const char* kName = "libreoffice-help";

  explicit HelpSource(Log log = {}) : m_log(std::move(log)) {}

  // Downloads (or reuses) the packages of English and `langs`, unpacks them under `workDir`,
  // harvests, and removes the unpacked tree.
  HelpHarvest harvestPackages(AptArchive& archive, const std::string& workDir,
                              const std::vector<std::string>& langs, const StopToken& stop);
  // Harvests an unpacked tree. A target language without a folder gives no pairs (logged).
  HelpHarvest harvestDir(const std::string& root, const std::vector<std::string>& langs,
                         const StopToken& stop);

  // "en" -> "en-US", "de" -> "de": the folder name under the help root.
  static std::string helpLanguage(const std::string& lang);
  // "en" -> "libreoffice-help-en-us".
  static std::string packageName(const std::string& lang);
  // Pages of one language as paths relative to <root>/<help language>, sorted.
  static std::vector<std::string> findPages(const std::string& root, const std::string& lang);
  // Content hash of the pages of English and `langs` under `root` (paths and bytes).
  static std::string fingerprint(const std::string& root, const std::vector<std::string>& langs);

 private:
  void log(const std::string& line) const {
    if (m_log) m_log(line);
  }

  Log m_log;
};

}  // namespace automoe
