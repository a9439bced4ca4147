#pragma once
// Scores a model on a prepared split with inherited weights (no retraining): the subnet of a
// supernet (run directly on the supernet: identical to its extractSubnet model), or an exported
// standalone model. Two figures:
//   loss: label-smoothed cross entropy and NLL per target token (nats) over the split's token
//         shards, teacher-forced, batched like validation (BatchPlanner::fixed, max-tokens);
//   BLEU: the split's source text translated (Translator: beam, lenpen, max_len_a/b) and scored
//         against the reference text with sacreBLEU's default corpus BLEU (bleu.h).
// `maxSentences` > 0 uses the first N sentences of the split for both.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "arch/arch_config.h"
#include "eval/bleu.h"
#include "eval/evaluation_options.h"

namespace automoe {

class StopToken;
class SuperTransformerImpl;
struct Project;

// Where a split lives: token shards for the loss, text for BLEU.
struct EvaluationData {
  std::string binDir;         // DataPreparer::binDir
  std::string split;          // "test" or "valid"
  std::string sourceText;     // one sentence per line, aligned with the shards
  std::string referenceText;
  std::string tokenizerModel;
  int64_t maxTokens = 4096;
  int64_t maxPositions = 1024;

  // The prepared data of `project`'s data section. Throws ConfigError for an unknown split.
  static EvaluationData forProject(const Project& project, const std::string& split);
};

struct EvaluationResult {
  std::string split;
  int64_t sentences = 0;       // translated and scored
  int64_t lossSentences = 0;   // in the loss (too long ones are skipped, as in validation)
  int64_t targetTokens = 0;
  double loss = 0;             // label-smoothed, nats per target token
  double nll = 0;              // nats per target token
  BleuScore bleu;
  std::vector<std::string> hypotheses;
  nlohmann::json toJson() const;  // without the hypotheses
};

class InheritedEvaluator {
 public:
  using Log = std::function<void(const std::string&)>;

  // `tokenizerExecutable` empty: TokenizerClient::locate().
  InheritedEvaluator(EvaluationData data, EvaluationOptions options, double labelSmoothing,
                     std::string tokenizerExecutable = {});

  // `model` runs `arch` (a supernet or a standalone model) and must be in eval mode. Throws
  // ConfigError for missing/misaligned data files or a tokenizer whose vocabulary differs from
  // the model's. std::nullopt when stopped.
  std::optional<EvaluationResult> evaluate(const SuperTransformerImpl& model, const ArchConfig& arch,
                                           const StopToken& stop, const Log& log = {}) const;

 private:
  EvaluationData m_data;
  EvaluationOptions m_options;
  double m_labelSmoothing;
  std::string m_tokenizerExecutable;
};

}  // namespace automoe
