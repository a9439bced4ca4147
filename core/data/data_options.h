#pragma once
// The project's "data" section: where the corpus lives, which language pair and sources it uses,
// the tokenizer, and how batches are formed. Paths are relative to the project file.
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace automoe {

class JsonReader;
struct ModelOptions;

struct DataOptions {
  std::string dir = "data";                  // data folder (relative to the project file)
  std::string pair = "en-de";                // "en-de" or "en-fr" (English is the source)
  std::vector<std::string> sources{"ddtp"};  // "ddtp", "gettext", "libreoffice-help"
  int64_t vocabSize = 8000;                  // joint SentencePiece vocabulary = model.vocab_size
  std::string tokenizer = "unigram";         // SentencePiece model type: "unigram" or "bpe"
  int64_t maxTokens = 4096;                  // batch budget: longest sentence * sentences
  int64_t maxPositions = 1024;               // longer sentences (+EOS) are skipped; = model's
  int64_t validSize = 1000;                  // sentence pairs held out for validation
  int64_t testSize = 1000;                   // and for the test set
  int64_t minWords = 4;                      // shortest English side kept, in words
  uint64_t seed = 1;                         // corpus split and tokenizer training
  std::string mirror = "http://deb.debian.org/debian";  // Debian archive for apt
  std::string suite = "bookworm";
  std::string ddtpDir;  // optional folder with Translation-{en,de,fr}[.gz|.xz|...]: no download
  std::vector<std::string> gettextPackages = defaultGettextPackages();  // .mo catalogs ("gettext")
  // optional folder laid out like /usr/share/libreoffice/help ({en-US,de,fr}/text/**.html) for
  // "libreoffice-help": read instead of downloading libreoffice-help-{en-us,de,fr}
  std::string helpDir;

  // Defaults that follow the rest of the project: vocab size and max positions from the model,
  // the seed from the project.
  static DataOptions defaults(const ModelOptions& model, uint64_t projectSeed);
  static DataOptions fromJson(const JsonReader& r, const ModelOptions& model, uint64_t projectSeed);
  nlohmann::json toJson() const;

  std::string sourceLang() const { return pair.substr(0, 2); }
  std::string targetLang() const { return pair.substr(3, 2); }
  bool usesSource(const std::string& name) const;

  static const std::vector<std::string>& supportedPairs();
  static const std::vector<std::string>& knownSources();  // ddtp, gettext, libreoffice-help
  static const std::vector<std::string>& defaultGettextPackages();
};

}  // namespace automoe
