#pragma once
// The "gettext" corpus source: downloads the configured packages with apt, unpacks them, and
// reads every catalog under <locale dir>/<lang>/LC_MESSAGES/*.mo for the target languages.
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/sentence_pair.h"

namespace automoe {

class AptArchive;
class StopToken;

struct GettextHarvest {
  std::map<std::string, std::vector<SentencePair>> pairs;  // target language -> pairs
  nlohmann::json packages = nlohmann::json::object();      // package -> version
  std::map<std::string, int64_t> dropped;                  // cleaning reasons
  int64_t catalogs = 0;
};

class GettextSource {
 public:
  using Log = std::function<void(const std::string&)>;

  GettextSource(AptArchive& archive, std::string workDir, Log log = {})
      : m_archive(archive), m_workDir(std::move(workDir)), m_log(std::move(log)) {}

  GettextHarvest harvest(const std::vector<std::string>& packages,
                         const std::vector<std::string>& langs, const StopToken& stop);

  // Catalogs of one unpacked package tree for `lang` (exact locale folder), sorted by path.
  static std::vector<std::string> findCatalogs(const std::string& root, const std::string& lang);

 private:
  AptArchive& m_archive;
  std::string m_workDir;
  Log m_log;
};

}  // namespace automoe
