#pragma once
// Training set-ups that must give the same update as one plain step over a bigger batch
// (data-parallel ranks, gradient accumulation): the doubled batch, and a project whose loss is a
// plain sum over tokens (no dropout, no batch statistics).
#include <algorithm>
#include <memory>

#include <ATen/ATen.h>

#include "model/sinusoidal_positions.h"
#include "project/project.h"
#include "support/tiny_training.h"
#include "train/training_data.h"

namespace automoe::test {

// Index i of this data = base batches 2i and 2i+1 in one batch.
class DoubledBatches final : public TrainingData {
 public:
  explicit DoubledBatches(std::shared_ptr<TrainingData> base) : m_base(std::move(base)) {}
  size_t numTrainBatches(uint64_t e) const override { return m_base->numTrainBatches(e) / 2; }
  TrainBatch trainBatch(uint64_t e, size_t i) const override {
    return concat(m_base->trainBatch(e, 2 * i), m_base->trainBatch(e, 2 * i + 1));
  }
  size_t numValidBatches() const override { return m_base->numValidBatches(); }
  TrainBatch validBatch(size_t i) const override { return m_base->validBatch(i); }
  int64_t vocabSize() const override { return m_base->vocabSize(); }

 private:
  static at::Tensor pad(const at::Tensor& t, int64_t len) {
    if (t.size(1) == len) return t;
    return at::cat({t, at::full({t.size(0), len - t.size(1)}, kPadIndex, at::kLong)}, 1);  // [B, T] -> [B, len]
  }
  static TrainBatch concat(const TrainBatch& a, const TrainBatch& b) {
    TrainBatch c;
    const int64_t S = std::max(a.src.size(1), b.src.size(1)), T = std::max(a.target.size(1), b.target.size(1));
    c.src = at::cat({pad(a.src, S), pad(b.src, S)}, 0);
    c.prevOutput = at::cat({pad(a.prevOutput, T), pad(b.prevOutput, T)}, 0);
    c.target = at::cat({pad(a.target, T), pad(b.target, T)}, 0);
    c.targetTokens = a.targetTokens + b.targetTokens;
    c.sourceTokens = a.sourceTokens + b.sourceTokens;
    return c;
  }
  std::shared_ptr<TrainingData> m_base;
};

// tinyProject() without randomness in the forward pass and without terms that are statistics of a
// batch rather than sums over its tokens.
inline Project deterministicProject() {
  Project p = tinyProject();
  p.model.dropout = 0;  // two processes (or two micro-batches) cannot share dropout masks with one
  p.model.attentionDropout = 0;
  p.model.routerJitter = 0;
  // The router losses are statistics of a batch (n * sum_i f_i P_i over its tokens): on two
  // half-batches they are not the loss of the whole batch, in any data-parallel implementation.
  // The equivalences are about gradient summation, so they are off here.
  p.model.balanceLossCoef = 0;
  p.model.zLossCoef = 0;
  // Likewise which tokens overflow an expert's capacity depends on the batch they are in.
  p.model.capacityFactor = 0;
  p.model.routing.switchTop1.capacityFactor = 0;
  return p;
}

}  // namespace automoe::test
