#include "train/corpus_training_data.h"

#include "data/batch.h"

namespace automoe {

namespace {
TrainBatch toTrainBatch(Batch b) {
  TrainBatch t;
  t.src = std::move(b.src);
  t.prevOutput = std::move(b.prevOutput);
  t.target = std::move(b.target);
  t.sourceTokens = b.srcTokens;
  t.targetTokens = b.tgtTokens;
  return t;
}
}  // namespace

CorpusTrainingData::CorpusTrainingData(const std::string& binDir, int64_t vocabSize, int64_t maxTokens,
                                       int64_t maxPositions, uint64_t seed)
    : m_train(TokenDataset::open(binDir, "train")),
      m_valid(TokenDataset::open(binDir, "valid")),
      m_trainPlanner(m_train.lengths(), maxTokens, maxPositions),
      m_validPlanner(m_valid.lengths(), maxTokens, maxPositions),
      m_validPlan(m_validPlanner.fixed()),
      m_vocabSize(vocabSize),
      m_seed(seed) {}

const std::vector<BatchIndices>& CorpusTrainingData::plan(uint64_t epoch) const {
  std::lock_guard<std::mutex> lock(m_mutex);
  auto it = m_plans.find(epoch);
  if (it == m_plans.end()) {
    if (m_plans.size() > 2) m_plans.erase(m_plans.begin());
    it = m_plans.emplace(epoch, m_trainPlanner.epoch(m_seed, epoch)).first;
  }
  return it->second;
}

size_t CorpusTrainingData::numTrainBatches(uint64_t epoch) const { return plan(epoch).size(); }

TrainBatch CorpusTrainingData::trainBatch(uint64_t epoch, size_t index) const {
  return toTrainBatch(collateBatch(m_train, plan(epoch).at(index)));
}

TrainBatch CorpusTrainingData::validBatch(size_t index) const {
  return toTrainBatch(collateBatch(m_valid, m_validPlan.at(index)));
}

}  // namespace automoe
