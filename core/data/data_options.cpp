#include "data/data_options.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "project/model_options.h"
#include "util/json_reader.h"

namespace automoe {

const std::vector<std::string>& DataOptions::supportedPairs() {
  static const std::vector<std::string> kPairs{"en-de", "en-fr"};
  return kPairs;
}

const std::vector<std::string>& DataOptions::knownSources() {
  static const std::vector<std::string> kSources{"ddtp", "gettext", "libreoffice-help"};
  return kSources;
}

// Best yield of prose-like catalog lines per downloaded MB (data_sources.md), each package
// carrying both German and French catalogs.
const std::vector<std::string>& DataOptions::defaultGettextPackages() {
  static const std::vector<std::string> kPackages{"gcc-12-locales",
                                                  "git",
                                                  "coreutils",
                                                  "libc-l10n",
                                                  "binutils-common",
                                                  "tar",
                                                  "findutils",
                                                  "grep",
                                                  "sed",
                                                  "diffutils",
                                                  "wget",
                                                  "apt",
                                                  "dpkg",
                                                  "debconf-i18n",
                                                  "cpio",
                                                  "gnupg-l10n",
                                                  "make",
                                                  "gettext",
                                                  "bison",
                                                  "vim-runtime",
                                                  "libreoffice-l10n-de",
                                                  "libreoffice-l10n-fr",
                                                  "postgresql-15"};
  return kPackages;
}

bool DataOptions::usesSource(const std::string& name) const {
  return std::find(sources.begin(), sources.end(), name) != sources.end();
}

DataOptions DataOptions::defaults(const ModelOptions& model, uint64_t projectSeed) {
  DataOptions d;
  d.vocabSize = model.vocabSize;
  d.maxPositions = model.maxPositions;
  d.seed = projectSeed;
  return d;
}

DataOptions DataOptions::fromJson(const JsonReader& r, const ModelOptions& model,
                                  uint64_t projectSeed) {
  r.rejectUnknownKeys({"dir", "pair", "sources", "vocab_size", "tokenizer", "max_tokens",
                       "max_positions", "valid_size", "test_size", "min_words", "seed", "mirror",
                       "suite", "ddtp_dir", "gettext_packages", "help_dir"});
  DataOptions d = defaults(model, projectSeed);
  d.dir = r.getString("dir", d.dir);
  if (d.dir.empty()) r.fail("dir", "must not be empty");
  d.pair = r.getString("pair", d.pair);
  const auto& pairs = supportedPairs();
  if (std::find(pairs.begin(), pairs.end(), d.pair) == pairs.end())
    r.fail("pair", "'" + d.pair + "' is not supported (use en-de or en-fr)");
  if (r.has("sources")) d.sources = r.getStringList("sources");
  const auto& known = knownSources();
  std::string knownList;
  for (const auto& k : known) knownList += (knownList.empty() ? "" : ", ") + k;
  if (d.sources.empty()) r.fail("sources", "needs at least one source (" + knownList + ")");
  for (size_t i = 0; i < d.sources.size(); ++i)
    if (std::find(known.begin(), known.end(), d.sources[i]) == known.end())
      r.fail("sources[" + std::to_string(i) + "]",
             "unknown source '" + d.sources[i] + "' (known: " + knownList + ")");
  if (!d.usesSource("ddtp"))
    r.fail("sources", "must include \"ddtp\": valid and test sets are drawn from its prose");
  d.vocabSize = r.getInt("vocab_size", d.vocabSize);
  if (d.vocabSize != model.vocabSize)
    r.fail("vocab_size", "is " + std::to_string(d.vocabSize) + " but model.vocab_size is " +
                             std::to_string(model.vocabSize) +
                             "; the tokenizer's vocabulary is the model's (make them equal)");
  d.tokenizer = r.getString("tokenizer", d.tokenizer);
  if (d.tokenizer != "unigram" && d.tokenizer != "bpe")
    r.fail("tokenizer", "must be \"unigram\" or \"bpe\", got \"" + d.tokenizer + "\"");
  d.maxPositions = r.getInt("max_positions", d.maxPositions);
  if (d.maxPositions < 2) r.fail("max_positions", "must be at least 2");
  if (d.maxPositions > model.maxPositions)
    r.fail("max_positions",
           "is larger than model.max_positions (" + std::to_string(model.maxPositions) + ")");
  d.maxTokens = r.getInt("max_tokens", d.maxTokens);
  if (d.maxTokens < 2) r.fail("max_tokens", "must be at least 2");
  d.validSize = r.getInt("valid_size", d.validSize);
  if (d.validSize < 1) r.fail("valid_size", "must be at least 1");
  d.testSize = r.getInt("test_size", d.testSize);
  if (d.testSize < 1) r.fail("test_size", "must be at least 1");
  d.minWords = r.getInt("min_words", d.minWords);
  if (d.minWords < 1) r.fail("min_words", "must be at least 1");
  const int64_t seed = r.getInt("seed", static_cast<int64_t>(d.seed));
  if (seed < 0) r.fail("seed", "must be >= 0");
  d.seed = static_cast<uint64_t>(seed);
  d.mirror = r.getString("mirror", d.mirror);
  if (d.mirror.rfind("http://", 0) != 0 && d.mirror.rfind("https://", 0) != 0 &&
      d.mirror.rfind("file:/", 0) != 0)
    r.fail("mirror", "must be an http://, https:// or file:/ URI, got \"" + d.mirror + "\"");
  d.suite = r.getString("suite", d.suite);
  if (d.suite.empty()) r.fail("suite", "must not be empty");
  d.ddtpDir = r.getString("ddtp_dir", d.ddtpDir);
  if (r.has("gettext_packages")) d.gettextPackages = r.getStringList("gettext_packages");
  for (size_t i = 0; i < d.gettextPackages.size(); ++i) {
    const std::string& p = d.gettextPackages[i];
    const bool ok = !p.empty() && std::all_of(p.begin(), p.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';
    });
    if (!ok)
      r.fail("gettext_packages[" + std::to_string(i) + "]", "'" + p + "' is not a package name");
  }
  d.helpDir = r.getString("help_dir", d.helpDir);
  if (!d.helpDir.empty() && !d.usesSource("libreoffice-help"))
    r.fail("help_dir", "is set but data.sources does not include \"libreoffice-help\"");
  return d;
}

nlohmann::json DataOptions::toJson() const {
  nlohmann::json j = {{"dir", dir},
                      {"pair", pair},
                      {"sources", sources},
                      {"vocab_size", vocabSize},
                      {"tokenizer", tokenizer},
                      {"max_tokens", maxTokens},
                      {"max_positions", maxPositions},
                      {"valid_size", validSize},
                      {"test_size", testSize},
                      {"min_words", minWords},
                      {"seed", seed},
                      {"mirror", mirror},
                      {"suite", suite},
                      {"gettext_packages", gettextPackages}};
  if (!ddtpDir.empty()) j["ddtp_dir"] = ddtpDir;
  if (!helpDir.empty()) j["help_dir"] = helpDir;
  return j;
}

}  // namespace automoe
