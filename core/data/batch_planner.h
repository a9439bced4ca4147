#pragma once
// Forms batches of sentence indices under a token budget (fairseq's max_tokens): sentences are
// sorted by length, consecutive ones are packed while (longest in batch) x (count) <= maxTokens,
// and the batch order is shuffled with the run's seed. Sentences longer than maxTokens or
// maxPositions are skipped and counted. Portable: uses automoe::Rng, never std::shuffle, so the
// same seed gives the same plan everywhere. Torch-free.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace automoe {

using BatchIndices = std::vector<size_t>;

class BatchPlanner {
 public:
  // `lengths[i]`: tokens of sentence i including EOS, max over source and target
  // (TokenDataset::lengths()).
  BatchPlanner(std::vector<int64_t> lengths, int64_t maxTokens, int64_t maxPositions);

  // Training plan of one epoch: ties in length are broken by a seeded per-epoch key (so batches
  // differ between epochs), then the batch order is shuffled with Rng(mixSeed(seed, epoch)).
  std::vector<BatchIndices> epoch(uint64_t seed, uint64_t epochIndex) const;
  // Validation plan: length order, ties by index, not shuffled.
  std::vector<BatchIndices> fixed() const;

  // Sentences left out of every plan (too long for maxTokens or maxPositions).
  int64_t skipped() const { return m_skipped; }
  size_t planned() const { return m_kept.size(); }
  int64_t maxTokens() const { return m_maxTokens; }

 private:
  std::vector<BatchIndices> pack(const std::vector<size_t>& order) const;

  std::vector<int64_t> m_lengths;
  std::vector<size_t> m_kept;  // indices that fit
  int64_t m_maxTokens;
  int64_t m_skipped = 0;
};

}  // namespace automoe
