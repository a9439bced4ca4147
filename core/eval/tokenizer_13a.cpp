#include "eval/tokenizer_13a.h"

#include <vector>

namespace automoe {

namespace {

void replaceAll(std::string& s, const std::string& from, const std::string& to) {
  std::string out;
  size_t pos = 0;
  for (size_t hit; (hit = s.find(from, pos)) != std::string::npos; pos = hit + from.size())
    out.append(s, pos, hit - pos).append(to);
  out.append(s, pos, std::string::npos);
  s.swap(out);
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// [\{-\~\[-\` -\&\(-\+\:-\@\/]
bool isSplitPunct(char c) {
  return (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' && c <= '&') ||
         (c >= '(' && c <= '+') || (c >= ':' && c <= '@') || c == '/';
}

// One UTF-8 character starting at s[i]: its code point and byte length (an invalid byte counts
// as one non-space character).
char32_t decodeAt(const std::string& s, size_t i, size_t& len) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  len = 1;
  if (c < 0x80) return c;
  const int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
  if (extra < 0) return 0xFFFD;
  char32_t cp = c & (0x3F >> extra);
  for (size_t k = 1; k <= static_cast<size_t>(extra); ++k) {
    if (i + k >= s.size() || (byte(i + k) & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  len = static_cast<size_t>(extra) + 1;
  return cp;
}

// Python str.rstrip(): drop trailing Unicode whitespace.
std::string rstrip(const std::string& s) {
  size_t keep = 0;  // end of the last non-space character
  for (size_t i = 0, len = 1; i < s.size(); i += len)
    if (!Tokenizer13a::isUnicodeSpace(decodeAt(s, i, len))) keep = i + len;
  return s.substr(0, keep);
}

}  // namespace

bool Tokenizer13a::isUnicodeSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

std::string Tokenizer13a::tokenize(const std::string& input) {
  std::string line = rstrip(input);
  replaceAll(line, "<skipped>", "");
  replaceAll(line, "-\n", "");
  replaceAll(line, "\n", " ");
  if (line.find('&') != std::string::npos) {
    replaceAll(line, "&quot;", "\"");
    replaceAll(line, "&amp;", "&");
    replaceAll(line, "&lt;", "<");
    replaceAll(line, "&gt;", ">");
  }
  line = " " + line + " ";

  std::string a;  // pass 1: punctuation
  for (char c : line) {
    if (isSplitPunct(c)) a.append(" ").push_back(c), a.push_back(' ');
    else a.push_back(c);
  }
  std::string b;  // pass 2: ([^0-9])([\.,]) -> "\1 \2 "
  for (size_t i = 0; i < a.size();) {
    if (i + 1 < a.size() && !isDigit(a[i]) && (a[i + 1] == '.' || a[i + 1] == ',')) {
      b.push_back(a[i]), b.push_back(' '), b.push_back(a[i + 1]), b.push_back(' ');
      i += 2;
    } else {
      b.push_back(a[i++]);
    }
  }
  std::string c;  // pass 3: ([\.,])([^0-9]) -> " \1 \2"
  for (size_t i = 0; i < b.size();) {
    if (i + 1 < b.size() && (b[i] == '.' || b[i] == ',') && !isDigit(b[i + 1])) {
      c.push_back(' '), c.push_back(b[i]), c.push_back(' '), c.push_back(b[i + 1]);
      i += 2;
    } else {
      c.push_back(b[i++]);
    }
  }
  std::string d;  // pass 4: ([0-9])(-) -> "\1 \2 "
  for (size_t i = 0; i < c.size();) {
    if (i + 1 < c.size() && isDigit(c[i]) && c[i + 1] == '-') {
      d.push_back(c[i]), d.append(" - ");
      i += 2;
    } else {
      d.push_back(c[i++]);
    }
  }
  std::string out;  // ' '.join(line.split())
  bool pendingSpace = false;
  for (size_t i = 0, len = 1; i < d.size(); i += len) {
    const char32_t cp = decodeAt(d, i, len);
    if (isUnicodeSpace(cp)) {
      pendingSpace = !out.empty();
      continue;
    }
    if (pendingSpace) out.push_back(' ');
    pendingSpace = false;
    out.append(d, i, len);
  }
  return out;
}

}  // namespace automoe
