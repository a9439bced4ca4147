#pragma once
// Aligns the paragraphs of one LibreOffice help page in English with the same page in another
// language by their id= attribute. A paragraph gives one pair, or one pair per sentence when
// both sides split into the same number of sentences. Dropped and counted: empty paragraphs,
// ids missing from the translation (and ids only the translation has), ids that are ambiguous
// on either side (repeated with different texts), and paragraphs whose placeholder counts
// differ (unexpanded %PRODUCTNAME-like variables, $[officename], literal <tags>). Pairs are
// train-only (prose = false): valid and test stay drawn from the DDTP descriptions.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "data/sentence_pair.h"

namespace automoe {

class HelpPage;

struct HelpAlignStats {
  int64_t pages = 0;           // pages present in both languages
  int64_t missingPages = 0;    // English pages without a translated page
  int64_t paragraphs = 0;      // English paragraphs with an id
  int64_t matched = 0;         // of them, aligned (before the PairFilter)
  int64_t empty = 0;           // no text on one side
  int64_t unmatched = 0;       // id missing from the translated page
  int64_t onlyTranslated = 0;  // ids of the translated page that English lacks
  int64_t ambiguous = 0;       // id repeated with different texts on either side
  int64_t placeholder = 0;     // placeholder counts differ
  int64_t sentencePairs = 0;   // pairs from paragraphs split into sentences
  int64_t pairs = 0;           // pairs produced
};

class HelpPageAligner {
 public:
  // Appends the pairs of one page; each origin is "<origin>#<paragraph id>".
  void align(const HelpPage& english, const HelpPage& translated, const std::string& origin,
             std::vector<SentencePair>& out);
  void countMissingPage() { ++m_stats.missingPages; }

  const HelpAlignStats& stats() const { return m_stats; }

  // %PRODUCTNAME-like variables (% + two or more capitals), $[name] and <tag>-like tokens.
  static size_t countPlaceholders(std::string_view text);

 private:
  HelpAlignStats m_stats;
};

}  // namespace automoe
