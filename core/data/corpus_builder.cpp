#include "data/corpus_builder.h"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <stdexcept>

#include "data/apt_archive.h"
#include "data/corpus_manifest.h"
#include "data/corpus_splitter.h"
#include "data/ddtp_aligner.h"
#include "data/ddtp_index.h"
#include "data/fingerprint.h"
#include "data/gettext_source.h"
#include "data/help_source.h"
#include "data/pair_filter.h"
#include "data/text_normalizer.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/json_reader.h"
#include "util/stop_token.h"

namespace fs = std::filesystem;

namespace automoe {

namespace {

// A file named Translation-<lang>[.gz|.xz|...] (or ending so, like apt's list names) in `dir`.
std::string findLocalIndex(const std::string& dir, const std::string& lang) {
  std::string best;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    const std::string key = "Translation-" + lang;
    const size_t at = name.rfind(key);
    if (at == std::string::npos || !e.is_regular_file()) continue;
    const std::string rest = name.substr(at + key.size());
    if (rest.empty() || rest == ".gz" || rest == ".xz" || rest == ".bz2" || rest == ".lz4" ||
        rest == ".zst")
      if (best.empty() || e.path().string() < best) best = e.path().string();
  }
  return best;
}

// Adds a source's pairs (target language -> pairs) to the candidates.
void appendPairs(std::map<std::string, std::vector<SentencePair>>& from,
                 std::map<std::string, std::vector<SentencePair>>& to) {
  for (auto& [lang, pairs] : from) {
    auto& dst = to[lang];
    dst.insert(dst.end(), std::make_move_iterator(pairs.begin()),
               std::make_move_iterator(pairs.end()));
  }
}

void checkStop(const StopToken& stop) {
  if (stop.stopRequested()) throw std::runtime_error("stopped");
}

}  // namespace

struct CorpusBuilder::Inputs {
  std::map<std::string, std::string> ddtpFiles;  // lang -> index file
  nlohmann::json ddtpRelease;
  std::string packagesIndex;  // for gettext and the help packages
  std::string helpRoot;       // data.help_dir: unpacked help pages, no download
};

const std::vector<std::string>& CorpusBuilder::splits() {
  static const std::vector<std::string> kSplits{"train", "valid", "test"};
  return kSplits;
}

CorpusBuilder::CorpusBuilder(DataOptions options, std::string dataDir, Log log)
    : m_options(std::move(options)), m_dataDir(std::move(dataDir)), m_log(std::move(log)) {}

std::string CorpusBuilder::manifestPath(const std::string& dataDir) {
  return dataDir + "/corpus/corpus.json";
}

std::string CorpusBuilder::textPath(const std::string& dataDir, const std::string& pair,
                                    const std::string& split, const std::string& lang) {
  return dataDir + "/corpus/" + pair + "/" + split + "." + lang;
}

CorpusBuilder::Inputs CorpusBuilder::locateInputs(bool refresh, const StopToken& stop,
                                                  bool& downloaded) {
  Inputs in;
  const std::vector<std::string> langs{"en", "de", "fr"};
  const bool gettext = m_options.usesSource("gettext");
  if (!m_options.ddtpDir.empty() && m_options.usesSource("ddtp")) {
    if (!fs::is_directory(m_options.ddtpDir))
      throw ConfigError("data.ddtp_dir: '" + m_options.ddtpDir + "' is not a folder");
    for (const auto& l : langs) {
      const std::string f = findLocalIndex(m_options.ddtpDir, l);
      if (!f.empty()) in.ddtpFiles[l] = f;
    }
    in.ddtpRelease = {{"local_dir", m_options.ddtpDir}};
    log("ddtp: reading the indexes in " + m_options.ddtpDir + " (no download)");
  }
  const bool help = m_options.usesSource(HelpSource::kName);
  if (help && !m_options.helpDir.empty()) {
    if (!fs::is_directory(m_options.helpDir))
      throw ConfigError("data.help_dir: '" + m_options.helpDir + "' is not a folder");
    if (HelpSource::findPages(m_options.helpDir, "en").empty())
      throw ConfigError("data.help_dir: no English pages in '" + m_options.helpDir +
                        "' (expected the layout of /usr/share/libreoffice/help: " +
                        HelpSource::helpLanguage("en") + "/text/.../*.html, de/..., fr/...)");
    in.helpRoot = m_options.helpDir;
    log("libreoffice-help: reading the pages in " + in.helpRoot + " (no download)");
  }
  const bool helpPackages = help && in.helpRoot.empty();
  const bool needApt =
      (m_options.usesSource("ddtp") && m_options.ddtpDir.empty()) || gettext || helpPackages;
  if (needApt) {
    AptArchive apt(m_dataDir + "/apt", m_options.mirror, m_options.suite, m_log);
    downloaded = apt.update(langs, gettext || helpPackages, refresh, stop);
    if (m_options.usesSource("ddtp") && m_options.ddtpDir.empty()) {
      for (const auto& l : langs) in.ddtpFiles[l] = apt.translationFile(l);
      in.ddtpRelease = apt.releaseInfo(langs);
    }
    if (gettext || helpPackages) in.packagesIndex = apt.packagesFile();
  }
  if (m_options.usesSource("ddtp") && !in.ddtpFiles.count("en"))
    throw ConfigError("data.ddtp_dir: no Translation-en index in '" + m_options.ddtpDir + "'");
  return in;
}

CorpusReport CorpusBuilder::build(bool refresh, bool force, const StopToken& stop) {
  CorpusReport report;
  const Inputs in = locateInputs(refresh, stop, report.downloaded);
  std::vector<std::string> targets;  // target languages we can build
  for (const auto& p : DataOptions::supportedPairs()) {
    const std::string t = p.substr(3);
    if (m_options.usesSource("gettext") || in.ddtpFiles.count(t)) targets.push_back(t);
  }
  if (std::find(targets.begin(), targets.end(), m_options.targetLang()) == targets.end())
    throw ConfigError("data.pair: no " + m_options.targetLang() + " input (Translation-" +
                      m_options.targetLang() + " missing)");

  nlohmann::json options = {{"sources", m_options.sources},      {"seed", m_options.seed},
                            {"valid_size", m_options.validSize}, {"test_size", m_options.testSize},
                            {"min_words", m_options.minWords},   {"mirror", m_options.mirror},
                            {"suite", m_options.suite}};
  if (m_options.usesSource("gettext")) options["gettext_packages"] = m_options.gettextPackages;
  if (!in.helpRoot.empty()) options["help_dir"] = in.helpRoot;
  nlohmann::json fp = {{"format_version", kFormatVersion},
                       {"algorithm_version", kAlgorithmVersion},
                       {"options", options}};
  for (const auto& [lang, path] : in.ddtpFiles)
    fp["inputs"][lang] = hex64(fnv1a64(readTextFile(path)));
  if (!in.packagesIndex.empty())
    fp["inputs"]["packages"] = hex64(fnv1a64(readTextFile(in.packagesIndex)));
  if (!in.helpRoot.empty()) {
    std::vector<std::string> helpLangs;
    for (const auto& p : DataOptions::supportedPairs()) helpLangs.push_back(p.substr(3));
    fp["inputs"][HelpSource::kName] = HelpSource::fingerprint(in.helpRoot, helpLangs);
  }
  const std::string fingerprint = hex64(fnv1a64(fp.dump()));

  const std::string manifestFile = manifestPath(m_dataDir);
  if (!force && fs::exists(manifestFile)) {
    // A damaged manifest is an outdated one: this build writes it again.
    nlohmann::json old;
    bool complete = true;
    try {
      old = parseJsonText(readTextFile(manifestFile), manifestFile);
      checkCorpusManifest(old, manifestFile);
    } catch (const ConfigError& e) {
      log(std::string("corpus: ") + e.what() + "; building the corpus again");
      complete = false;
    }
    complete = complete && valueOr(old, "fingerprint", "") == fingerprint;
    for (const auto& t : targets)
      for (const auto& s : splits())
        for (const auto& l : {std::string("en"), t})
          complete = complete && fs::exists(textPath(m_dataDir, "en-" + t, s, l));
    if (complete) {
      log("corpus: up to date (" + manifestFile + ")");
      report.upToDate = true;
      report.manifest = std::move(old);
      return report;
    }
  }

  std::map<std::string, std::vector<SentencePair>> candidates;
  nlohmann::json sources = nlohmann::json::object();
  nlohmann::json alignStats = nlohmann::json::object();
  if (m_options.usesSource("ddtp")) {
    const DdtpIndex en =
        DdtpIndex::parse(AptArchive::readIndex(in.ddtpFiles.at("en")), "en", in.ddtpFiles.at("en"));
    log("ddtp: Translation-en: " + std::to_string(en.entries().size()) + " descriptions");
    sources["ddtp"] = {{"release", in.ddtpRelease}, {"inputs", fp["inputs"]}};
    for (const auto& t : targets) {
      checkStop(stop);
      if (!in.ddtpFiles.count(t)) continue;
      const DdtpIndex tr =
          DdtpIndex::parse(AptArchive::readIndex(in.ddtpFiles.at(t)), t, in.ddtpFiles.at(t));
      DdtpAligner aligner;
      candidates[t] = aligner.align(en, tr);
      const DdtpAlignStats& s = aligner.stats();
      alignStats[t] = {{"descriptions", s.descriptions},
                       {"matched", s.matched},
                       {"paragraph_mismatch", s.paragraphMismatch},
                       {"block_mismatch", s.blockMismatch},
                       {"sentence_mismatch", s.sentenceMismatch},
                       {"whole_blocks", s.wholeBlocks},
                       {"pairs", s.pairs}};
      log("ddtp: Translation-" + t + ": " + std::to_string(s.descriptions) + " descriptions, " +
          std::to_string(s.matched) + " matched, " + std::to_string(s.pairs) + " candidate pairs");
    }
  }
  if (m_options.usesSource("gettext")) {
    checkStop(stop);
    AptArchive apt(m_dataDir + "/apt", m_options.mirror, m_options.suite, m_log);
    GettextSource gettext(apt, m_dataDir + "/apt", m_log);
    GettextHarvest h = gettext.harvest(m_options.gettextPackages, targets, stop);
    appendPairs(h.pairs, candidates);
    sources["gettext"] = {
        {"packages", h.packages}, {"catalogs", h.catalogs}, {"dropped", h.dropped}};
  }

  if (m_options.usesSource(HelpSource::kName)) {
    checkStop(stop);
    HelpSource source(m_log);
    HelpHarvest h;
    if (!in.helpRoot.empty()) {
      h = source.harvestDir(in.helpRoot, targets, stop);
    } else {
      AptArchive apt(m_dataDir + "/apt", m_options.mirror, m_options.suite, m_log);
      h = source.harvestPackages(apt, m_dataDir + "/apt", targets, stop);
    }
    appendPairs(h.pairs, candidates);
    sources[HelpSource::kName] = {{"alignment", h.alignmentJson()}};
    if (!in.helpRoot.empty())
      sources[HelpSource::kName]["local_dir"] = in.helpRoot;
    else
      sources[HelpSource::kName]["packages"] = h.packages;
  }

  nlohmann::json pairs = nlohmann::json::object();
  for (const auto& t : targets) {
    checkStop(stop);
    pairs["en-" + t] = buildPair(t, std::move(candidates[t]),
                                 alignStats.contains(t) ? alignStats[t] : nlohmann::json());
  }
  report.manifest = {{"format_version", kFormatVersion},
                     {"created", utcTimestamp()},
                     {"automoe_version", AUTOMOE_VERSION},
                     {"fingerprint", fingerprint},
                     {"options", options},
                     {"sources", sources},
                     {"pairs", pairs}};
  writeFileAtomically(manifestFile, report.manifest.dump(2) + "\n");
  log("corpus: wrote " + manifestFile);
  return report;
}

nlohmann::json CorpusBuilder::buildPair(const std::string& tgtLang,
                                        std::vector<SentencePair> candidates,
                                        const nlohmann::json& alignStats) {
  const std::string pair = "en-" + tgtLang;
  const size_t total = candidates.size();
  PairFilter filter(static_cast<size_t>(m_options.minWords));
  std::vector<SentencePair> kept = filter.apply(std::move(candidates));
  const size_t filtered = kept.size();
  const CorpusSplit split = CorpusSplitter(m_options.validSize, m_options.testSize, m_options.seed)
                                .split(std::move(kept));
  fs::create_directories(m_dataDir + "/corpus/" + pair);
  writeSplit(pair, tgtLang, "train", split.train);
  writeSplit(pair, tgtLang, "valid", split.valid);
  writeSplit(pair, tgtLang, "test", split.test);
  nlohmann::json bySource = nlohmann::json::object();
  for (const auto& p : split.train)
    bySource[p.origin.substr(0, p.origin.find(':'))] =
        bySource.value(p.origin.substr(0, p.origin.find(':')), 0) + 1;
  log("corpus: " + pair + ": " + std::to_string(total) + " candidates, " +
      std::to_string(filtered) + " after filtering -> train " + std::to_string(split.train.size()) +
      ", valid " + std::to_string(split.valid.size()) + ", test " +
      std::to_string(split.test.size()));
  return {{"candidates", total},
          {"kept", filtered},
          {"dropped", filter.dropped()},
          {"train", split.train.size()},
          {"valid", split.valid.size()},
          {"test", split.test.size()},
          {"train_dropped_overlap", split.trainDroppedOverlap},
          {"families", split.families},
          {"train_by_source", bySource},
          {"alignment", alignStats}};
}

void CorpusBuilder::writeSplit(const std::string& pair, const std::string& tgtLang,
                               const std::string& split,
                               const std::vector<SentencePair>& pairs) const {
  std::string src, tgt, origin;
  for (const auto& p : pairs) {
    src += p.src + '\n';
    tgt += p.tgt + '\n';
    origin += p.origin + '\n';
  }
  writeFileAtomically(textPath(m_dataDir, pair, split, "en"), src);
  writeFileAtomically(textPath(m_dataDir, pair, split, tgtLang), tgt);
  writeFileAtomically(textPath(m_dataDir, pair, split, "origin"), origin);
}

}  // namespace automoe
