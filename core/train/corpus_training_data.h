#pragma once
// TrainingData over a prepared corpus: the memory-mapped token shards of `automoe data prepare`,
// packed by BatchPlanner (length-bucketed up to max-tokens, batch order shuffled per epoch with
// the run's seed) and collated into padded batches.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "data/batch_planner.h"
#include "data/token_dataset.h"
#include "train/training_data.h"

namespace automoe {

class CorpusTrainingData final : public TrainingData {
 public:
  // `binDir` from DataPreparer::binDir(dataDir). Throws ConfigError for missing/damaged shards.
  CorpusTrainingData(const std::string& binDir, int64_t vocabSize, int64_t maxTokens,
                     int64_t maxPositions, uint64_t seed);

  size_t numTrainBatches(uint64_t epoch) const override;
  TrainBatch trainBatch(uint64_t epoch, size_t index) const override;
  size_t numValidBatches() const override { return m_validPlan.size(); }
  TrainBatch validBatch(size_t index) const override;
  int64_t vocabSize() const override { return m_vocabSize; }
  int64_t skippedTrainSentences() const { return m_trainPlanner.skipped(); }

 private:
  const std::vector<BatchIndices>& plan(uint64_t epoch) const;

  TokenDataset m_train, m_valid;
  BatchPlanner m_trainPlanner, m_validPlanner;
  std::vector<BatchIndices> m_validPlan;
  int64_t m_vocabSize;
  uint64_t m_seed;
  mutable std::mutex m_mutex;
  mutable std::map<uint64_t, std::vector<BatchIndices>> m_plans;  // the last epochs' plans
};

}  // namespace automoe
