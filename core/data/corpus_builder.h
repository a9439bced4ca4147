#pragma once
// Builds the parallel corpus of a project on this machine:
//   <data dir>/apt/                      private apt state (lists, .debs), reused by later runs
//   <data dir>/corpus/<pair>/{train,valid,test}.{en,<tgt>}   one sentence per line, aligned
//   <data dir>/corpus/<pair>/{train,valid,test}.origin       where each line came from
//   <data dir>/corpus/corpus.json        manifest: counts, filters, sources and their versions
// for every supported pair (en-de, en-fr). Downloading (AptArchive) is separate from parsing and
// aligning (DDTP indexes may also come from a local folder: data.ddtp_dir, and LibreOffice help
// pages from data.help_dir). Each line's source is in .origin ("ddtp:<package>",
// "gettext:<package>/<domain>", "libreoffice-help:<page>#<id>"). The build is
// deterministic; when the manifest's fingerprint (options + input files) matches, it is skipped.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/data_options.h"
#include "data/sentence_pair.h"

namespace automoe {

class StopToken;
struct CorpusSplit;

struct CorpusReport {
  bool upToDate = false;    // nothing rebuilt: the manifest matched
  bool downloaded = false;  // apt-get fetched something this run
  nlohmann::json manifest;  // the corpus.json content
};

class CorpusBuilder {
 public:
  using Log = std::function<void(const std::string&)>;
  static constexpr int kFormatVersion = 1;
  // Bump when alignment, filtering or splitting changes: older corpora then count as outdated.
  static constexpr int kAlgorithmVersion = 3;
  static const std::vector<std::string>& splits();  // train, valid, test

  // `dataDir` is the resolved data folder; `ddtpDir` of the options must be resolved too.
  CorpusBuilder(DataOptions options, std::string dataDir, Log log = {});

  // `refresh` re-runs apt-get update; `force` rebuilds even when up to date.
  CorpusReport build(bool refresh, bool force, const StopToken& stop);

  static std::string manifestPath(const std::string& dataDir);
  static std::string textPath(const std::string& dataDir, const std::string& pair,
                              const std::string& split, const std::string& lang);

 private:
  struct Inputs;
  Inputs locateInputs(bool refresh, const StopToken& stop, bool& downloaded);
  nlohmann::json buildPair(const std::string& tgtLang, std::vector<SentencePair> candidates,
                           const nlohmann::json& alignStats);
  void writeSplit(const std::string& pair, const std::string& tgtLang, const std::string& split,
                  const std::vector<SentencePair>& pairs) const;
  void log(const std::string& line) const {
    if (m_log) m_log(line);
  }

  DataOptions m_options;
  std::string m_dataDir;
  Log m_log;
};

}  // namespace automoe
