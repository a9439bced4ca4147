#pragma once
// The project's "evaluation" section: how subnets and exported models are translated and scored
// (AutoMoE's test.sh: beam 4, length penalty 0.6, the test split, sacreBLEU's default BLEU).
// The output length limit follows fairseq: max_len_a * source length + max_len_b. Torch-free.
#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace automoe {

class JsonReader;

struct EvaluationOptions {
  int beam = 4;
  double lenPenalty = 0.6;
  double maxLenA = 1.2;
  int maxLenB = 10;
  std::string split = "test";  // "test" or "valid"
  int64_t maxSentences = 0;    // 0 = the whole split
  int batchSize = 32;          // sentences per beam-search batch

  static EvaluationOptions fromJson(const JsonReader& r);
  nlohmann::json toJson() const;
  // Throws ConfigError naming `source` unless `split` is "test" or "valid".
  static void checkSplit(const std::string& split, const std::string& source);
};

}  // namespace automoe
