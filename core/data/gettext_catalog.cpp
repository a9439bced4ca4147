#include "data/gettext_catalog.h"

#include <cctype>
#include <stdexcept>

#include "data/text_normalizer.h"
#include "util/child_process.h"

namespace automoe {

namespace {

bool isAlnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

// The C-escaped content of one "..." token of a .po line.
std::string unquote(const std::string& line) {
  const size_t a = line.find('"'), b = line.rfind('"');
  if (a == std::string::npos || b <= a) return {};
  std::string out;
  for (size_t i = a + 1; i < b; ++i) {
    if (line[i] != '\\' || i + 1 >= b) {
      out += line[i];
      continue;
    }
    const char e = line[++i];
    out += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
  }
  return out;
}

// Positions of `marker` that precede a letter or digit ("&&" is a literal "&").
std::vector<size_t> markerPositions(const std::string& s, char marker) {
  std::vector<size_t> at;
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] != marker) continue;
    if (s[i + 1] == marker) {
      ++i;
      continue;
    }
    if (isAlnum(static_cast<unsigned char>(s[i + 1]))) at.push_back(i);
  }
  return at;
}

std::string removeMarker(const std::string& s, char marker) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == marker && i + 1 < s.size() && s[i + 1] == marker) {
      out += marker;
      ++i;
    } else if (!(s[i] == marker && i + 1 < s.size() &&
                 isAlnum(static_cast<unsigned char>(s[i + 1])))) {
      out += s[i];
    }
  }
  return out;
}

// --help style: several lines, some with an option column ("  -v, --verbose   explain").
bool looksColumnFormatted(const std::string& s) {
  size_t lines = 0, columns = 0, start = 0;
  while (start <= s.size()) {
    size_t end = s.find('\n', start);
    if (end == std::string::npos) end = s.size();
    const std::string line = s.substr(start, end - start);
    const size_t text = line.find_first_not_of(' ');
    if (text != std::string::npos) {
      ++lines;
      if (line.find("  ", text) != std::string::npos || (text > 0 && line[text] == '-')) ++columns;
    }
    start = end + 1;
  }
  return lines > 1 && columns > 0;
}

}  // namespace

bool GettextCatalog::hasPlaceholder(const std::string& t) {
  for (size_t i = 0; i + 1 < t.size(); ++i) {
    const char c = t[i], n = t[i + 1];
    if (c == '%') {
      if (n == '%') {  // literal "%%"
        ++i;
        continue;
      }
      const bool afterNumber = i > 0 && t[i - 1] >= '0' && t[i - 1] <= '9';  // "50% of"
      // printf (%s %5.2f %1$s), Qt (%1), GCC (%qD %<...%>), Python (%(name)s)
      if (!afterNumber && (isAlnum(static_cast<unsigned char>(n)) ||
                           std::string("<>#.*{(+-'").find(n) != std::string::npos))
        return true;
    }
    if (c == '{' && (isAlnum(static_cast<unsigned char>(n)) || n == '}')) return true;
    if (c == '$' && (n == '{' || n == '(' || std::isalpha(static_cast<unsigned char>(n))))
      return true;  // ${x} $(x) $HOME, LibreOffice $name$
    if (c == '<' && (n == '%' || n == '?')) return true;
  }
  return false;
}

std::string GettextCatalog::stripMarkup(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '<') {
      const size_t close = text.find('>', i);
      const bool tag =
          close != std::string::npos && i + 1 < text.size() &&
          (std::isalpha(static_cast<unsigned char>(text[i + 1])) || text[i + 1] == '/');
      if (tag) {
        i = close;
        out += ' ';
        continue;
      }
    }
    if (text[i] == '&') {
      static const std::pair<const char*, const char*> kEntities[] = {
          {"&lt;", "<"},    {"&gt;", ">"},   {"&amp;", "&"},
          {"&quot;", "\""}, {"&apos;", "'"}, {"&nbsp;", " "}};
      bool replaced = false;
      for (const auto& [name, value] : kEntities)
        if (text.compare(i, std::char_traits<char>::length(name), name) == 0) {
          out += value;
          i += std::char_traits<char>::length(name) - 1;
          replaced = true;
          break;
        }
      if (replaced) continue;
    }
    out += text[i];
  }
  return out;
}

void GettextCatalog::add(const std::string& msgid, const std::string& msgstr, char marker,
                         const std::string& origin) {
  if (msgid.empty() || msgstr.empty()) return;
  if (looksColumnFormatted(msgid) || looksColumnFormatted(msgstr)) {
    ++m_dropped["column_formatted"];
    return;
  }
  if (hasPlaceholder(msgid) || hasPlaceholder(msgstr)) {
    ++m_dropped["placeholder"];
    return;
  }
  std::string src = msgid, tgt = msgstr;
  if (marker) {
    src = removeMarker(src, marker);
    tgt = removeMarker(tgt, marker);
  } else {
    // No declared marker: '&' counts when both sides carry exactly one; '_' and '~' also when
    // only one side does (translators often add the accelerator the English lacks).
    for (char m : {'_', '&', '~'}) {
      const size_t a = markerPositions(src, m).size(), b = markerPositions(tgt, m).size();
      if ((a == 1 && b == 1) || (m != '&' && a + b == 1)) {
        src = removeMarker(src, m);
        tgt = removeMarker(tgt, m);
      }
    }
  }
  src = collapseWhitespace(stripMarkup(src));
  tgt = collapseWhitespace(stripMarkup(tgt));
  if (src.empty() || tgt.empty()) return;
  m_pairs.push_back({src, tgt, origin, /*prose=*/false});
}

GettextCatalog GettextCatalog::parsePo(const std::string& text, const std::string& origin) {
  GettextCatalog cat;
  std::string msgid, msgstr, *current = nullptr;
  char marker = 0;
  bool haveEntry = false;
  const auto finish = [&] {
    if (haveEntry && msgid.empty()) {  // header: look for the accelerator marker
      const std::string key = "X-Accelerator-Marker: ";
      const size_t at = msgstr.find(key);
      if (at != std::string::npos && at + key.size() < msgstr.size() &&
          msgstr[at + key.size()] != '\n')
        marker = msgstr[at + key.size()];
    } else if (haveEntry) {
      cat.add(msgid, msgstr, marker, origin);
    }
    msgid.clear(), msgstr.clear();
    current = nullptr;
    haveEntry = false;
  };
  bool skipPlural = false;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.rfind("msgctxt", 0) == 0 ||
        (line.rfind("msgid ", 0) == 0 && haveEntry && current != &msgid)) {
      finish();
    }
    if (line.rfind("msgid ", 0) == 0) {
      haveEntry = true;
      current = &msgid;
      skipPlural = false;
      *current = unquote(line);
    } else if (line.rfind("msgid_plural", 0) == 0 || line.rfind("msgstr[", 0) == 0) {
      skipPlural = line.rfind("msgstr[0]", 0) != 0;
      current = skipPlural ? nullptr : &msgstr;
      if (current) *current = unquote(line);
    } else if (line.rfind("msgstr ", 0) == 0) {
      current = &msgstr;
      *current = unquote(line);
    } else if (!line.empty() && line[0] == '"') {
      if (current) *current += unquote(line);
    } else if (line.empty()) {
      finish();
    }
  }
  finish();
  return cat;
}

GettextCatalog GettextCatalog::readMo(const std::string& path, const std::string& origin) {
  const std::vector<std::string> cmd{"msgunfmt", "--no-wrap", path};
  ChildResult r = runChild(cmd);
  if (r.exitCode != 0)
    throw std::runtime_error(describeCommand(cmd) + " failed: " + r.err.substr(0, 500));
  // Catalogs in legacy charsets (vim ships ISO-8859-1 ones) are converted to UTF-8 first.
  const size_t cs = r.out.find("charset=");
  const std::string charset = cs == std::string::npos ? "" : r.out.substr(cs + 8, 5);
  if (cs != std::string::npos && charset != "UTF-8" && charset != "utf-8") {
    const std::vector<std::string> conv{"msgconv", "--no-wrap", "--to-code=UTF-8", "-"};
    ChildOptions o;
    o.input = std::move(r.out);
    r = runChild(conv, o);
    if (r.exitCode != 0)
      throw std::runtime_error(describeCommand(conv) + " failed on " + path + ": " +
                               r.err.substr(0, 500));
  }
  return parsePo(r.out, origin);
}

}  // namespace automoe
