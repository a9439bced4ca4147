#pragma once
// Keeps sentence pairs that are useful for training and counts why the others were dropped:
// malformed UTF-8, too few English words, too long, implausible length ratio, untranslated target
// (equal to the source, or most English word types reappear in it) and exact duplicates.
#include <cstdint>
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

#include "data/sentence_pair.h"

namespace automoe {

class PairFilter {
 public:
  static constexpr size_t kMaxWords = 200;        // either side
  static constexpr double kMinLengthRatio = 0.5;  // target / source, in characters
  static constexpr double kMaxLengthRatio = 2.5;
  static constexpr double kUntranslatedShare = 0.8;  // of English word types found in the target

  explicit PairFilter(size_t minWords) : m_minWords(minWords) {}

  // Empty string when the pair is kept (and remembered for the duplicate check), else the reason:
  // "encoding", "short", "long", "length_ratio", "untranslated", "duplicate".
  std::string check(const SentencePair& pair);

  // Filters in order, keeping the first of duplicate pairs.
  std::vector<SentencePair> apply(std::vector<SentencePair> pairs);

  const std::map<std::string, int64_t>& dropped() const { return m_dropped; }

 private:
  size_t m_minWords;
  std::unordered_set<std::string> m_seen;
  std::map<std::string, int64_t> m_dropped;
};

}  // namespace automoe
