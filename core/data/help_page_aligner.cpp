#include "data/help_page_aligner.h"

#include "data/help_page.h"
#include "data/sentence_splitter.h"

namespace automoe {

namespace {

bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isAlpha(char c) { return isUpper(c) || (c >= 'a' && c <= 'z'); }
bool isTagChar(char c) { return isAlpha(c) || (c >= '0' && c <= '9') || c == '_' || c == '-'; }

}  // namespace

size_t HelpPageAligner::countPlaceholders(std::string_view t) {
  size_t n = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '%' && i + 2 < t.size() && isUpper(t[i + 1]) && isUpper(t[i + 2])) {
      ++n;  // %PRODUCTNAME, %PRODUCTVERSION (and misspellings the help build left unexpanded)
      while (i + 1 < t.size() && isUpper(t[i + 1])) ++i;
    } else if (t[i] == '$' && i + 1 < t.size() && t[i + 1] == '[') {
      const size_t close = t.find(']', i + 2);
      if (close != std::string_view::npos) ++n, i = close;
    } else if (t[i] == '<' && i + 1 < t.size() && (isAlpha(t[i + 1]) || t[i + 1] == '/')) {
      size_t j = i + 1 + (t[i + 1] == '/');
      while (j < t.size() && isTagChar(t[j])) ++j;
      if (j < t.size() && t[j] == '>' && j > i + 1 + (t[i + 1] == '/')) ++n, i = j;
    }
  }
  return n;
}

void HelpPageAligner::align(const HelpPage& english, const HelpPage& translated,
                            const std::string& origin, std::vector<SentencePair>& out) {
  ++m_stats.pages;
  for (const auto& p : translated.paragraphs())
    if (!english.find(p.id)) ++m_stats.onlyTranslated;
  for (const auto& en : english.paragraphs()) {
    ++m_stats.paragraphs;
    const std::string* tr = translated.find(en.id);
    if (!tr) {
      ++m_stats.unmatched;
      continue;
    }
    if (english.ambiguous().count(en.id) || translated.ambiguous().count(en.id)) {
      ++m_stats.ambiguous;
      continue;
    }
    if (en.text.empty() || tr->empty()) {
      ++m_stats.empty;
      continue;
    }
    if (countPlaceholders(en.text) != countPlaceholders(*tr)) {
      ++m_stats.placeholder;
      continue;
    }
    ++m_stats.matched;
    const std::string where = origin + "#" + en.id;
    const std::vector<std::string> enSentences = splitSentences(en.text);
    const std::vector<std::string> trSentences = splitSentences(*tr);
    if (enSentences.size() > 1 && enSentences.size() == trSentences.size()) {
      for (size_t i = 0; i < enSentences.size(); ++i)
        out.push_back({enSentences[i], trSentences[i], where, /*prose=*/false});
      m_stats.sentencePairs += static_cast<int64_t>(enSentences.size());
      m_stats.pairs += static_cast<int64_t>(enSentences.size());
    } else {
      out.push_back({en.text, *tr, where, /*prose=*/false});
      ++m_stats.pairs;
    }
  }
}

}  // namespace automoe
