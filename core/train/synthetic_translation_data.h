#pragma once
// A synthetic parallel corpus: source sentences of uniformly drawn length with words drawn from a
// Zipf(1) distribution over `wordTypes` types; the target is the source reversed, each word mapped
// by a fixed bijection onto a disjoint set of target types. With 8,000 types per side this is the
// corpus of the peer benchmark (peer_baseline.md: 16,004-entry joint vocabulary); with a few dozen
// types it is a quickly learnable task for tests. Batches are packed by length up to maxTokens and
// shuffled per epoch with the seed.
#include <cstdint>
#include <vector>

#include "train/training_data.h"

namespace automoe {

struct SyntheticCorpusOptions {
  int64_t trainPairs = 20000;
  int64_t validPairs = 500;
  int wordTypes = 8000;
  int minLength = 8;
  int maxLength = 50;
  int64_t maxTokens = 1024;
  uint64_t seed = 1234;
};

class SyntheticTranslationData final : public TrainingData {
 public:
  explicit SyntheticTranslationData(SyntheticCorpusOptions options);

  size_t numTrainBatches(uint64_t epoch) const override;
  TrainBatch trainBatch(uint64_t epoch, size_t index) const override;
  size_t numValidBatches() const override { return m_validBatches.size(); }
  TrainBatch validBatch(size_t index) const override;
  int64_t vocabSize() const override { return 4 + 2 * static_cast<int64_t>(m_options.wordTypes); }

 private:
  using Sentence = std::vector<int64_t>;
  // Packs sentences sorted by length into batches of at most maxTokens (longest x count).
  std::vector<std::vector<size_t>> plan(const std::vector<Sentence>& src) const;
  TrainBatch collate(const std::vector<Sentence>& src, const std::vector<Sentence>& tgt,
                     const std::vector<size_t>& idx) const;

  SyntheticCorpusOptions m_options;
  std::vector<Sentence> m_trainSrc, m_trainTgt, m_validSrc, m_validTgt;
  std::vector<std::vector<size_t>> m_trainBatches;  // packed once; the order is shuffled per epoch
  std::vector<std::vector<size_t>> m_validBatches;
};

}  // namespace automoe
