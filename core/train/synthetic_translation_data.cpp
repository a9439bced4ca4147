#include "train/synthetic_translation_data.h"

#include <algorithm>
#include <numeric>

#include "util/rng.h"

namespace automoe {

SyntheticTranslationData::SyntheticTranslationData(SyntheticCorpusOptions o) : m_options(o) {
  Rng rng(o.seed);
  std::vector<double> cdf(o.wordTypes);
  double total = 0;
  for (int i = 0; i < o.wordTypes; ++i) cdf[i] = (total += 1.0 / (i + 1));
  std::vector<int64_t> mapping(o.wordTypes);
  std::iota(mapping.begin(), mapping.end(), 0);
  for (int i = o.wordTypes - 1; i > 0; --i) std::swap(mapping[i], mapping[rng.uniformIndex(i + 1)]);
  auto make = [&](int64_t n, std::vector<Sentence>& src, std::vector<Sentence>& tgt) {
    for (int64_t k = 0; k < n; ++k) {
      const int len = o.minLength + static_cast<int>(rng.uniformIndex(o.maxLength - o.minLength + 1));
      Sentence s(len), t(len);
      for (int j = 0; j < len; ++j) {
        const double u = rng.uniform01() * total;
        const int w = static_cast<int>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
        s[j] = 4 + std::min(w, o.wordTypes - 1);
      }
      for (int j = 0; j < len; ++j) t[len - 1 - j] = 4 + o.wordTypes + mapping[s[j] - 4];
      src.push_back(std::move(s));
      tgt.push_back(std::move(t));
    }
  };
  make(o.trainPairs, m_trainSrc, m_trainTgt);
  make(o.validPairs, m_validSrc, m_validTgt);
  m_trainBatches = plan(m_trainSrc);
  m_validBatches = plan(m_validSrc);
}

std::vector<std::vector<size_t>> SyntheticTranslationData::plan(const std::vector<Sentence>& src) const {
  std::vector<size_t> order(src.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return src[a].size() < src[b].size(); });
  std::vector<std::vector<size_t>> batches;
  std::vector<size_t> cur;
  int64_t longest = 0;
  for (size_t i : order) {
    const int64_t len = static_cast<int64_t>(src[i].size()) + 1;
    if (!cur.empty() && std::max(longest, len) * static_cast<int64_t>(cur.size() + 1) > m_options.maxTokens) {
      batches.push_back(cur);
      cur.clear();
      longest = 0;
    }
    cur.push_back(i);
    longest = std::max(longest, len);
  }
  if (!cur.empty()) batches.push_back(cur);
  return batches;
}

size_t SyntheticTranslationData::numTrainBatches(uint64_t) const { return m_trainBatches.size(); }

TrainBatch SyntheticTranslationData::trainBatch(uint64_t epoch, size_t index) const {
  // Position `index` of the epoch's permutation of the packed batches (Fisher-Yates, seeded).
  std::vector<size_t> perm(m_trainBatches.size());
  std::iota(perm.begin(), perm.end(), 0);
  Rng rng(mixSeed(m_options.seed, epoch + 1));
  for (size_t i = perm.size() - 1; i > 0; --i) std::swap(perm[i], perm[rng.uniformIndex(i + 1)]);
  return collate(m_trainSrc, m_trainTgt, m_trainBatches.at(perm.at(index)));
}

TrainBatch SyntheticTranslationData::validBatch(size_t index) const {
  return collate(m_validSrc, m_validTgt, m_validBatches.at(index));
}

TrainBatch SyntheticTranslationData::collate(const std::vector<Sentence>& src,
                                             const std::vector<Sentence>& tgt,
                                             const std::vector<size_t>& idx) const {
  std::vector<Sentence> s, t;
  for (size_t i : idx) {
    s.push_back(src[i]);
    t.push_back(tgt[i]);
  }
  return collatePairs(s, t);
}

}  // namespace automoe
