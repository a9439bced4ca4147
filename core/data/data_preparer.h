#pragma once
// `automoe data prepare`: trains the joint SentencePiece model on the training text (both
// languages) and encodes every split into token-id shards:
//   <data dir>/bin/spm.model, spm.vocab
//   <data dir>/bin/{train,valid,test}.{src,tgt}.{bin,idx}     (see binarizer.h)
//   <data dir>/bin/meta.json   vocab size, counts per split, tokenizer and corpus fingerprints
// Skipped when meta.json's fingerprint (corpus text + tokenizer settings) still matches and the
// files still hold what was written (meta.json's "content_hashes": FNV-1a 64 of the tokenizer
// model and every shard; a file changed since is prepared again, and refused where it is read).
// Tokenisation runs in the automoe-tokenizer child process (see tokenizer_client.h).
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "data/data_options.h"

namespace automoe {

class StopToken;

struct PrepareReport {
  bool upToDate = false;
  nlohmann::json meta;
};

class DataPreparer {
 public:
  using Log = std::function<void(const std::string&)>;
  static constexpr int kFormatVersion = 1;
  static constexpr int64_t kTokenizerSample = 2000000;  // lines SentencePiece trains on, at most

  DataPreparer(DataOptions options, std::string dataDir, std::string tokenizerExecutable = {},
               Log log = {});

  PrepareReport prepare(bool force, const StopToken& stop);

  static std::string binDir(const std::string& dataDir) { return dataDir + "/bin"; }
  static std::string metaPath(const std::string& dataDir) { return dataDir + "/bin/meta.json"; }
  static std::string tokenizerModel(const std::string& dataDir) {
    return dataDir + "/bin/spm.model";
  }

  // meta.json of prepared data, checked against the options (pair, vocabulary size = the model's).
  // Throws ConfigError naming the file and the fix (run `automoe data prepare`).
  // Also checks the files' content against meta.json's hashes (contentProblem); `tokenizerOnly`:
  // only the tokenizer model's (encoding or decoding a few lines reads no shard).
  static nlohmann::json loadMeta(const std::string& dataDir, const DataOptions& options, bool tokenizerOnly = false);
  // "" when the tokenizer model and shards (or, `tokenizerOnly`, the model alone) hold what `meta`
  // recorded (or `meta` records no hashes: data prepared before they were), otherwise which file
  // differs or is missing, and the fix.
  static std::string contentProblem(const std::string& dataDir, const nlohmann::json& meta, bool tokenizerOnly = false);

 private:
  std::string fingerprint() const;
  void log(const std::string& line) const {
    if (m_log) m_log(line);
  }

  DataOptions m_options;
  std::string m_dataDir;
  std::string m_tokenizer;
  Log m_log;
};

}  // namespace automoe
