#include "data/text_normalizer.h"

#include <cstdint>

namespace automoe {

namespace {

bool isSpaceAt(std::string_view t, size_t i, size_t* width) {
  const unsigned char c = static_cast<unsigned char>(t[i]);
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
    *width = 1;
    return true;
  }
  if (c == 0xC2 && i + 1 < t.size() && static_cast<unsigned char>(t[i + 1]) == 0xA0) {
    *width = 2;  // U+00A0 no-break space
    return true;
  }
  return false;
}

// Width of a non-ASCII punctuation or symbol code point at i (Latin-1 U+00A1-U+00BF such as
// « » © ®, general punctuation U+2000-U+206F such as “ ” – …, and ™), else 0.
size_t unicodePunctuationAt(std::string_view t, size_t i) {
  const auto at = [&](size_t k) { return k < t.size() ? static_cast<unsigned char>(t[k]) : 0u; };
  if (at(i) == 0xC2 && at(i + 1) >= 0xA1 && at(i + 1) <= 0xBF) return 2;
  if (at(i) == 0xE2 && (at(i + 1) == 0x80 || at(i + 1) == 0x81) && at(i + 2) >= 0x80) return 3;
  if (at(i) == 0xE2 && at(i + 1) == 0x84 && at(i + 2) == 0xA2) return 3;
  return 0;
}

}  // namespace

std::string collapseWhitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pendingSpace = false;
  for (size_t i = 0; i < text.size();) {
    size_t w = 1;
    if (isSpaceAt(text, i, &w)) {
      pendingSpace = !out.empty();
      i += w;
      continue;
    }
    if (pendingSpace) out += ' ';
    pendingSpace = false;
    out += text[i++];
  }
  return out;
}

std::string normaliseForMatch(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pendingSpace = false;
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    size_t w = 1;
    const bool ascii = c < 0x80;
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    size_t separator = 0;  // bytes of a space or punctuation character at i
    if (isSpaceAt(text, i, &w))
      separator = w;
    else if (ascii && !alnum)
      separator = 1;
    else
      separator = unicodePunctuationAt(text, i);
    if (separator > 0) {
      pendingSpace = !out.empty();
      i += separator;
      continue;
    }
    if (pendingSpace) out += ' ';
    pendingSpace = false;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
    ++i;
  }
  return out;
}

std::vector<std::string> splitWords(std::string_view normalised) {
  std::vector<std::string> words;
  size_t start = 0;
  while (start < normalised.size()) {
    size_t end = normalised.find(' ', start);
    if (end == std::string_view::npos) end = normalised.size();
    if (end > start) words.emplace_back(normalised.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

size_t countWords(std::string_view text) {
  size_t count = 0;
  bool inToken = false, hasAlnum = false;
  for (size_t i = 0; i <= text.size(); ++i) {
    size_t w = 1;
    const bool end = i == text.size() || isSpaceAt(text, i, &w);
    if (end) {
      if (inToken && hasAlnum) ++count;
      inToken = hasAlnum = false;
      continue;
    }
    inToken = true;
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0xC0)
      hasAlnum = true;
  }
  return count;
}

bool isValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80)
      cp = c;
    else if (c >= 0xC2 && c <= 0xDF)
      n = 1, cp = c & 0x1Fu;
    else if (c >= 0xE0 && c <= 0xEF)
      n = 2, cp = c & 0x0Fu;
    else if (c >= 0xF0 && c <= 0xF4)
      n = 3, cp = c & 0x07u;
    else
      return false;
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= text.size()) return false;
      const unsigned char d = static_cast<unsigned char>(text[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3Fu);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

size_t utf8Length(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace automoe
