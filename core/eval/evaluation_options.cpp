#include "eval/evaluation_options.h"

#include <nlohmann/json.hpp>

#include "util/config_error.h"
#include "util/json_reader.h"

namespace automoe {

EvaluationOptions EvaluationOptions::fromJson(const JsonReader& r) {
  r.rejectUnknownKeys({"beam", "lenpen", "max_len_a", "max_len_b", "split", "max_sentences", "batch_size"});
  EvaluationOptions o;
  const int64_t beam = r.getInt("beam", o.beam);
  if (beam < 1 || beam > 64) r.fail("beam", "must be in [1, 64]");
  o.beam = static_cast<int>(beam);
  o.lenPenalty = r.getDouble("lenpen", o.lenPenalty);
  if (o.lenPenalty < 0 || o.lenPenalty > 10) r.fail("lenpen", "must be in [0, 10]");
  o.maxLenA = r.getDouble("max_len_a", o.maxLenA);
  if (o.maxLenA < 0 || o.maxLenA > 100) r.fail("max_len_a", "must be in [0, 100]");
  const int64_t b = r.getInt("max_len_b", o.maxLenB);
  if (b < 0 || b > 100000) r.fail("max_len_b", "must be in [0, 100000]");
  o.maxLenB = static_cast<int>(b);
  if (o.maxLenA == 0 && o.maxLenB == 0) r.fail("max_len_b", "must be > 0 when max_len_a is 0");
  o.split = r.getString("split", o.split);
  if (o.split != "test" && o.split != "valid") r.fail("split", "expected \"test\" or \"valid\"");
  o.maxSentences = r.getInt("max_sentences", o.maxSentences);
  if (o.maxSentences < 0) r.fail("max_sentences", "must be >= 0 (0 = the whole split)");
  const int64_t bs = r.getInt("batch_size", o.batchSize);
  if (bs < 1 || bs > 4096) r.fail("batch_size", "must be in [1, 4096]");
  o.batchSize = static_cast<int>(bs);
  return o;
}

nlohmann::json EvaluationOptions::toJson() const {
  return {{"beam", beam},   {"lenpen", lenPenalty},         {"max_len_a", maxLenA},
          {"max_len_b", maxLenB}, {"split", split}, {"max_sentences", maxSentences},
          {"batch_size", batchSize}};
}

void EvaluationOptions::checkSplit(const std::string& split, const std::string& source) {
  if (split != "test" && split != "valid")
    throw ConfigError(source + ": split '" + split + "': expected test or valid");
}

}  // namespace automoe
