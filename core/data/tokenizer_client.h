#pragma once
// Talks to the automoe-tokenizer program (SentencePiece) through pipes. SentencePiece cannot be
// loaded into a process that also loads LibTorch (Debian's libsentencepiece exports protobuf 3.14,
// LibTorch needs 3.21: crash at start-up), so every tokenizer call runs in that child process.
// Each call starts one child; batch lines to amortise the start-up (a few milliseconds).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace automoe {

struct TokenizerTrainOptions {
  std::vector<std::string> inputs;  // text files, one sentence per line
  std::string modelPrefix;          // writes <prefix>.model and <prefix>.vocab
  int64_t vocabSize = 8000;
  std::string modelType = "unigram";  // or "bpe"
  uint64_t seed = 1;
  int threads = 1;              // > 1 is faster but may change the model
  int64_t sampleSentences = 0;  // 0: train on every line; else a seeded sample
};

class TokenizerClient {
 public:
  // `executable` defaults to locate().
  explicit TokenizerClient(std::string modelPath, std::string executable = {});

  // $AUTOMOE_TOKENIZER, else automoe-tokenizer next to the running program (/proc/self/exe),
  // else "automoe-tokenizer" (searched on PATH).
  static std::string locate();

  // Trains a model; returns its vocabulary size. Throws std::runtime_error with the child's
  // stderr on failure.
  static int64_t train(const TokenizerTrainOptions& options, std::string executable = {});

  // One id list per line (no BOS/EOS added). Lines must not contain '\n'.
  std::vector<std::vector<int32_t>> encode(const std::vector<std::string>& lines) const;
  // Text per id list; control ids (BOS, PAD, EOS) decode to nothing.
  std::vector<std::string> decode(const std::vector<std::vector<int32_t>>& ids) const;
  int64_t vocabSize() const;
  // {"vocab_size", "bos_id", "pad_id", "eos_id", "unk_id", "sentencepiece" (library version)}.
  nlohmann::json info() const;

  const std::string& modelPath() const { return m_model; }
  const std::string& executable() const { return m_executable; }

 private:
  std::string run(const std::string& verb, const std::string& input) const;

  std::string m_model;
  std::string m_executable;
};

}  // namespace automoe
