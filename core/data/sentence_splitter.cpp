#include "data/sentence_splitter.h"

#include <algorithm>
#include <iterator>

#include "data/text_normalizer.h"

namespace automoe {

namespace {

// Lower-case, without the final period. English, German and French.
constexpr std::string_view kAbbreviations[] = {
    "e.g", "i.e",  "etc",  "vs",   "cf",   "approx", "incl", "no",     "nos",  "dr",   "mr",  "mrs",
    "ms",  "prof", "st",   "fig",  "figs", "al",     "inc",  "ltd",    "co",   "corp", "jr",  "sr",
    "vol", "ver",  "resp", "min",  "max",  "esp",    "eg",   "ie",     "z.b",  "d.h",  "bzw", "ca",
    "usw", "u.a",  "evtl", "ggf",  "inkl", "bspw",   "sog",  "vgl",    "z.t",  "s.o",  "s.u", "u.ä",
    "o.ä", "dt",   "engl", "p.ex", "env",  "mme",    "mlle", "c.-à-d", "c.à.d"};

bool isUpperStart(std::string_view t, size_t i) {
  const unsigned char c = static_cast<unsigned char>(t[i]);
  if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  if (c == '"' || c == '\'' || c == '(' || c == '[') return true;
  if (i + 1 < t.size()) {
    const unsigned char d = static_cast<unsigned char>(t[i + 1]);
    if (c == 0xC3 && d >= 0x80 && d <= 0x9E) return true;  // À..Þ
    if (c == 0xC2 && d == 0xAB) return true;               // «
  }
  if (i + 2 < t.size() && c == 0xE2 && static_cast<unsigned char>(t[i + 1]) == 0x80) {
    const unsigned char e = static_cast<unsigned char>(t[i + 2]);
    if (e == 0x9C || e == 0x9E || e == 0x98) return true;  // “ „ ‘
  }
  return false;
}

bool isClosing(unsigned char c) { return c == '"' || c == '\'' || c == ')' || c == ']'; }

// The word that ends at `dot` (exclusive), e.g. "e.g" for "... e.g. foo".
std::string_view wordBefore(std::string_view t, size_t dot) {
  size_t start = dot;
  while (start > 0 && t[start - 1] != ' ' && t[start - 1] != '(') --start;
  return t.substr(start, dot - start);
}

bool isAbbreviation(std::string_view word) {
  if (word.empty()) return false;
  std::string lower(word);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  if (std::find(std::begin(kAbbreviations), std::end(kAbbreviations), lower) !=
      std::end(kAbbreviations))
    return true;
  const auto isAlpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (word.size() == 1 && isAlpha(word[0])) return true;  // initial: "J. Smith", "A. D."
  // Dotted acronym "B.C", "U.S": letters separated by single dots.
  bool dotted = word.size() >= 3;
  for (size_t i = 0; i < word.size() && dotted; ++i)
    dotted = (i % 2 == 0) ? isAlpha(word[i]) : word[i] == '.';
  return dotted;
}

}  // namespace

std::vector<std::string> splitSentences(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '.' && c != '!' && c != '?') continue;
    size_t end = i + 1;
    while (end < text.size() && (text[end] == '.' || text[end] == '!' || text[end] == '?')) ++end;
    while (end < text.size() && isClosing(static_cast<unsigned char>(text[end]))) ++end;
    if (end + 1 >= text.size() || text[end] != ' ' || !isUpperStart(text, end + 1)) continue;
    if (c == '.' && end == i + 1 && isAbbreviation(wordBefore(text, i))) continue;
    const std::string sentence = collapseWhitespace(text.substr(start, end - start));
    if (!sentence.empty()) out.push_back(sentence);
    start = end + 1;
    i = end;
  }
  const std::string rest = collapseWhitespace(text.substr(std::min(start, text.size())));
  if (!rest.empty()) out.push_back(rest);
  return out;
}

}  // namespace automoe
