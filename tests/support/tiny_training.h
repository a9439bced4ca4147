#pragma once
// A learnable synthetic corpus (and, through tiny_project.h, a project) small enough to train for
// tens of updates in seconds.
#include <memory>

#include "support/tiny_project.h"
#include "train/synthetic_translation_data.h"

namespace automoe::test {

inline std::shared_ptr<SyntheticTranslationData> tinyCorpus(int64_t maxTokens = 96) {
  SyntheticCorpusOptions o;
  o.trainPairs = 400;
  o.validPairs = 40;
  o.wordTypes = 12;
  o.minLength = 3;
  o.maxLength = 7;
  o.maxTokens = maxTokens;
  o.seed = 77;
  return std::make_shared<SyntheticTranslationData>(o);
}

}  // namespace automoe::test
