#pragma once
// The search's fitness: the validation loss of a subnet that inherits the trained supernet's
// weights (AutoMoE's validate_all, spec §7.3), on a fixed set of validation batches that are read
// once and kept on the model's device.
//
// Loss = cross entropy per real target token in nats, with label smoothing `labelSmoothing`
// (default 0: the plain negative log-likelihood; AutoMoE reports the label-smoothed loss in bits,
// which differs by a factor ln 2 and the smoothing term). Lower is better.
//
// Fast path: eval mode under InferenceMode; the vocabulary projection (the largest matrix product
// with a 16k vocabulary) runs only on the non-padding target positions, in blocks of rows whose
// logits stay in cache, and the loss comes from logsumexp(logits) - logit[target] without
// materialising the log-probabilities; optional bf16
// autocast for the matrix products (the loss itself in fp32), with the weight matrices converted to
// bf16 once (a bf16 copy of them: half the supernet's fp32 size) instead of on every pass.
#include <cstdint>
#include <vector>

#include <ATen/ATen.h>

#include "model/super_transformer.h"

namespace automoe {

class TrainingData;

struct InheritedFitnessOptions {
  int validBatches = 4;        // the first N validation batches (fewer if the data has fewer)
  double labelSmoothing = 0;
  bool bf16 = false;
};

struct FitnessValue {
  double loss = 0;     // per target token, nats (label-smoothed when the option is > 0)
  double nll = 0;      // per target token, nats
  int64_t tokens = 0;  // real target tokens
};

class InheritedFitness {
 public:
  // Puts `supernet` in eval mode (it stays shared: the caller must not train it meanwhile; with
  // bf16, its weight matrices are copied once).
  // Throws std::invalid_argument when `data` has no validation batch.
  InheritedFitness(SuperTransformer supernet, const TrainingData& data, InheritedFitnessOptions options);

  FitnessValue evaluate(const ArchConfig& arch) const;
  double operator()(const ArchConfig& arch) const { return evaluate(arch).loss; }

  size_t batches() const { return m_batches.size(); }
  int64_t targetTokens() const { return m_tokens; }
  const InheritedFitnessOptions& options() const { return m_options; }

 private:
  struct CachedBatch {
    at::Tensor src, prev;  // [B, S], [B, T]
    at::Tensor keep;       // [N] flat indices of the real target positions in [B*T]
    at::Tensor target;     // [N] their token ids
  };
  SuperTransformer m_model;
  at::Tensor m_projection;  // [V, D] the tied embedding (bf16 copy in bf16 mode)
  InheritedFitnessOptions m_options;
  std::vector<CachedBatch> m_batches;
  int64_t m_tokens = 0;
};

}  // namespace automoe
