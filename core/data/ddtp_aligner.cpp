#include "data/ddtp_aligner.h"

#include "data/sentence_splitter.h"
#include "data/text_normalizer.h"

namespace automoe {

std::vector<SentencePair> DdtpAligner::align(const DdtpIndex& english,
                                             const DdtpIndex& translated) {
  std::vector<SentencePair> out;
  for (const DdtpDescription& tr : translated.entries()) {
    ++m_stats.descriptions;
    const DdtpDescription* en = english.find(tr.md5);
    if (!en) continue;
    ++m_stats.matched;
    const std::string origin = "ddtp:" + tr.package;
    out.push_back({en->synopsis, tr.synopsis, origin, true});
    if (en->paragraphs.size() != tr.paragraphs.size()) {
      ++m_stats.paragraphMismatch;
      continue;
    }
    for (size_t p = 0; p < en->paragraphs.size(); ++p) {
      const auto& enBlocks = en->paragraphs[p];
      const auto& trBlocks = tr.paragraphs[p];
      if (enBlocks.size() != trBlocks.size()) {
        ++m_stats.blockMismatch;
        continue;
      }
      for (size_t b = 0; b < enBlocks.size(); ++b)
        alignBlock(enBlocks[b], trBlocks[b], origin, out);
    }
  }
  m_stats.pairs = static_cast<int64_t>(out.size());
  return out;
}

void DdtpAligner::alignBlock(const std::string& en, const std::string& tr,
                             const std::string& origin, std::vector<SentencePair>& out) {
  const std::vector<std::string> enSentences = splitSentences(en);
  const std::vector<std::string> trSentences = splitSentences(tr);
  if (enSentences.size() == trSentences.size()) {
    for (size_t i = 0; i < enSentences.size(); ++i)
      out.push_back({enSentences[i], trSentences[i], origin, true});
    return;
  }
  if (countWords(en) <= kMaxWholeBlockWords) {
    ++m_stats.wholeBlocks;
    out.push_back({en, tr, origin, true});
    return;
  }
  ++m_stats.sentenceMismatch;
}

}  // namespace automoe
