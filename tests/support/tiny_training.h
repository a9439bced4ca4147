#pragma once
// A project and a learnable synthetic corpus small enough to train for tens of updates in seconds.
#include <memory>

#include "project/project.h"
#include "support/tiny_space.h"
#include "train/synthetic_translation_data.h"
#include "train/training_options.h"

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

inline Project tinyProject() {
  Project p;
  p.name = "tiny";
  p.seed = 5;
  p.space = tinySpace();
  p.model = tinyModelOptions();
  p.model.vocabSize = 4 + 2 * 12;
  p.model.dropout = 0.1;
  return p;
}

inline TrainingOptions tinyTraining(int64_t updates) {
  TrainingOptions t;
  t.maxUpdates = updates;
  t.lr = {"constant", 3e-3, 0, 3e-3, 0, updates};
  t.logEvery = 5;
  t.validateEvery = 1000;
  t.checkpointEvery = 1000;
  t.referenceSubnets = 1;
  t.validBatches = 3;
  return t;
}

}  // namespace automoe::test
