#pragma once
// Aligns an English DDTP index with a translated one. Descriptions are matched by
// Description-md5; synopses pair directly; paragraphs pair one to one when both descriptions have
// the same number of paragraphs, blocks (prose runs, bullet items) when a paragraph pair has the
// same number of blocks, and sentences when a block pair has the same number of sentences.
// A block pair whose sentence counts differ is kept whole if it is short.
#include <cstdint>
#include <vector>

#include "data/ddtp_index.h"
#include "data/sentence_pair.h"

namespace automoe {

struct DdtpAlignStats {
  int64_t descriptions = 0;       // translated descriptions
  int64_t matched = 0;            // ... whose md5 is in the English index
  int64_t paragraphMismatch = 0;  // descriptions whose paragraph counts differ (body dropped)
  int64_t blockMismatch = 0;      // paragraph pairs whose block counts differ (dropped)
  int64_t sentenceMismatch = 0;   // block pairs too long to keep whole (dropped)
  int64_t wholeBlocks = 0;        // block pairs kept whole (sentence counts differ)
  int64_t pairs = 0;              // pairs produced (before filtering)
};

class DdtpAligner {
 public:
  static constexpr size_t kMaxWholeBlockWords = 60;  // English words of a block kept unsplit

  // Pairs in the order of the translated index; origins are "ddtp:<package>".
  std::vector<SentencePair> align(const DdtpIndex& english, const DdtpIndex& translated);
  const DdtpAlignStats& stats() const { return m_stats; }

 private:
  void alignBlock(const std::string& en, const std::string& tr, const std::string& origin,
                  std::vector<SentencePair>& out);

  DdtpAlignStats m_stats;
};

}  // namespace automoe
