#pragma once
// What the trainer reads: batches of one epoch in training order (shuffled with the run's seed and
// the epoch number) and a fixed list of validation batches. Implementations: binarised corpus
// shards (core/data) and synthetic corpora (benchmarks, tests).
#include <cstddef>
#include <cstdint>

#include <ATen/ATen.h>

namespace automoe {

struct TrainBatch {
  at::Tensor src;         // [B, S] int64, ends with EOS, right-padded with kPadIndex
  at::Tensor prevOutput;  // [B, T] int64, EOS + target[:-1] (teacher forcing)
  at::Tensor target;      // [B, T] int64, target + EOS
  int64_t targetTokens = 0;
  int64_t sourceTokens = 0;
};

class TrainingData {
 public:
  virtual ~TrainingData() = default;
  virtual size_t numTrainBatches(uint64_t epoch) const = 0;
  virtual TrainBatch trainBatch(uint64_t epoch, size_t index) const = 0;
  virtual size_t numValidBatches() const = 0;
  virtual TrainBatch validBatch(size_t index) const = 0;
  virtual int64_t vocabSize() const = 0;
};

// Builds a batch from token sequences (without EOS): appends EOS, right-pads, shifts the target.
TrainBatch collatePairs(const std::vector<std::vector<int64_t>>& sources,
                        const std::vector<std::vector<int64_t>>& targets);

}  // namespace automoe
