#pragma once
// Splits filtered pairs into train / valid / test so that no normalised English sentence of
// valid or test occurs in train, and near-duplicate boilerplate ("This package contains the
// development files for X") never straddles the splits. Two English lines are in the same family
// when they share a signature: the normalised text, the text with rare words (names) masked and
// digits folded, or the text with any one word replaced by a wildcard (union-find over shared
// signatures). Families are visited in a seeded hash order; single-pair prose families fill
// test, then valid, to their exact sizes; everything else is train. Finally train pairs with a
// line or sentence that shares a signature with a valid/test line or sentence are dropped.
#include <cstdint>
#include <string>
#include <vector>

#include "data/sentence_pair.h"

namespace automoe {

struct CorpusSplit {
  std::vector<SentencePair> train, valid, test;
  int64_t trainDroppedOverlap = 0;  // train pairs removed because they overlap valid/test
  int64_t families = 0;
};

class CorpusSplitter {
 public:
  static constexpr int64_t kRareWordDocs = 5;      // a word in fewer distinct sentences is a name
  static constexpr size_t kMaxWildcardWords = 60;  // longer lines get no one-word wildcards

  CorpusSplitter(int64_t validSize, int64_t testSize, uint64_t seed)
      : m_validSize(validSize), m_testSize(testSize), m_seed(seed) {}

  // Throws ConfigError if there are not enough held-out candidates for valid + test.
  CorpusSplit split(std::vector<SentencePair> pairs) const;

 private:
  int64_t m_validSize, m_testSize;
  uint64_t m_seed;
};

}  // namespace automoe
