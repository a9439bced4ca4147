#include "data/pair_filter.h"

#include <set>

#include "data/text_normalizer.h"

namespace automoe {

namespace {

bool looksUntranslated(const SentencePair& p) {
  const std::string src = normaliseForMatch(p.src), tgt = normaliseForMatch(p.tgt);
  if (src == tgt) return true;
  std::set<std::string> srcTypes;
  for (auto& w : splitWords(src))
    if (w.size() >= 3 && w.find_first_of("0123456789") == std::string::npos) srcTypes.insert(w);
  if (srcTypes.size() < 3) return false;
  const auto tgtWords = splitWords(tgt);
  const std::set<std::string> tgtTypes(tgtWords.begin(), tgtWords.end());
  size_t shared = 0;
  for (const auto& w : srcTypes) shared += tgtTypes.count(w);
  return static_cast<double>(shared) >= PairFilter::kUntranslatedShare * srcTypes.size();
}

}  // namespace

std::string PairFilter::check(const SentencePair& p) {
  if (!isValidUtf8(p.src) || !isValidUtf8(p.tgt)) return "encoding";
  const size_t srcWords = countWords(p.src), tgtWords = countWords(p.tgt);
  if (srcWords < m_minWords || tgtWords == 0) return "short";
  if (srcWords > kMaxWords || tgtWords > kMaxWords) return "long";
  const double ratio =
      static_cast<double>(utf8Length(p.tgt)) / static_cast<double>(utf8Length(p.src));
  if (ratio < kMinLengthRatio || ratio > kMaxLengthRatio) return "length_ratio";
  if (looksUntranslated(p)) return "untranslated";
  if (!m_seen.insert(p.src + '\t' + p.tgt).second) return "duplicate";
  return {};
}

std::vector<SentencePair> PairFilter::apply(std::vector<SentencePair> pairs) {
  std::vector<SentencePair> kept;
  kept.reserve(pairs.size());
  for (auto& p : pairs) {
    p.src = collapseWhitespace(p.src);  // one pair per line: no tabs or newlines inside
    p.tgt = collapseWhitespace(p.tgt);
    const std::string why = check(p);
    if (why.empty())
      kept.push_back(std::move(p));
    else
      ++m_dropped[why];
  }
  return kept;
}

}  // namespace automoe
