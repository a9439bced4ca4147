#pragma once
// A tiny project (tiny_space.h) and training options that train for tens of updates in seconds.
// Torch-free, so that widget tests can use it too.
#include <string>

#include "project/project.h"
#include "support/tiny_space.h"
#include "train/training_options.h"

namespace automoe::test {

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

// tinyProject() as if saved in `dir` (its run folder resolves there), training `updates` updates
// with small batches (the synthetic corpus of makeTrainingData uses data.max_tokens).
inline Project tinyProjectIn(const std::string& dir, int64_t updates) {
  Project p = tinyProject();
  p.path = dir + "/project.json";
  p.training = tinyTraining(updates);
  p.data.maxTokens = 256;
  return p;
}

// tinyProjectIn(dir, 1) with two quick hardware profiles, "fast" (first) and "other", and a
// latency section sized for tests: 8 dataset samples, a small predictor.
inline Project tinyLatencyProjectIn(const std::string& dir) {
  Project p = tinyProjectIn(dir, 1);
  HardwareProfile h;
  h.name = "fast";
  h.srcLen = 6;
  h.tgtLen = 4;
  h.beam = 2;
  h.warmup = 0;
  h.runs = 2;
  HardwareProfile other = h;
  other.name = "other";
  other.tgtLen = 5;
  p.hardwareProfiles = {h, other};
  p.search.profile = "fast";
  p.latency.datasetSamples = 8;
  p.latency.predictor.steps = 200;
  p.latency.predictor.hiddenDim = 16;
  p.latency.predictor.ensemble = 1;
  return p;
}

}  // namespace automoe::test
