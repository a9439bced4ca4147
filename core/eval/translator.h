#pragma once
// Translates sentences with a (standalone or super) SuperTransformer running `arch`: text ->
// token ids (TokenizerClient, in its child process) -> batched beam search (fairseq semantics,
// beam_search.h) -> best hypothesis -> detokenised text. Sentences are batched in order of
// decreasing source length (less padding) and returned in input order. The output limit is
// fairseq's: int(max_len_a x S + max_len_b) tokens plus EOS, capped by the model's positions, with
// S the source length (EOS included). fairseq takes S of the padded batch, so a sentence's limit
// depends on its batch; here a batch only holds sentences whose own limit is the same, so every
// sentence is translated as fairseq would translate it alone, whatever the batch size. Sources
// longer than the model's positions are cut to fit (counted in truncated()).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "arch/arch_config.h"

namespace automoe {

class StopToken;
class SuperTransformerImpl;
class TokenizerClient;
struct EvaluationOptions;

struct TranslatorOptions {
  int beam = 4;
  double lenPenalty = 0.6;
  double maxLenA = 1.2;
  int maxLenB = 10;
  int batchSize = 32;  // sentences per beam search

  static TranslatorOptions from(const EvaluationOptions& e);
};

class Translator {
 public:
  using Progress = std::function<void(size_t done, size_t total)>;
  using Ids = std::vector<std::vector<int32_t>>;

  // `model` must outlive the translator and be in eval mode.
  Translator(const SuperTransformerImpl& model, ArchConfig arch, TranslatorOptions options);

  // Source ids (no EOS) -> best hypothesis ids (EOS removed). std::nullopt if stopped. A model
  // whose scores are not finite (NaN: damaged or overflowing weights) gets a ConfigError naming the
  // input line and the model's largest weight.
  std::optional<Ids> translateIds(const Ids& sources, const StopToken& stop,
                                  const Progress& progress = {}) const;
  std::optional<std::vector<std::string>> translate(const TokenizerClient& tokenizer,
                                                    const std::vector<std::string>& lines,
                                                    const StopToken& stop,
                                                    const Progress& progress = {}) const;

  // Output tokens allowed (EOS included) for a batch whose padded source length is `srcLen`.
  int maxLenFor(int64_t srcLen) const;
  const TranslatorOptions& options() const { return m_options; }
  int64_t truncated() const { return m_truncated; }

 private:
  const SuperTransformerImpl& m_model;
  ArchConfig m_arch;
  TranslatorOptions m_options;
  mutable int64_t m_truncated = 0;
};

}  // namespace automoe
