#include "data/help_page.h"

#include <cstdint>

#include "data/text_normalizer.h"

namespace automoe {

namespace {

bool isAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// One tag "<name attr=...>" / "</name>" / "<name .../>"; name lower-cased, empty when the '<'
// does not start a tag.
struct Tag {
  std::string name;
  std::string_view attrs;
  bool closing = false;
  bool selfClosing = false;

  // Whether attribute `key` is present; its value (quoted or bare) goes to `value`.
  bool get(std::string_view key, std::string* value = nullptr) const {
    size_t i = 0;
    while (i < attrs.size()) {
      while (i < attrs.size() && (attrs[i] == ' ' || attrs[i] == '\t' || attrs[i] == '\n' ||
                                  attrs[i] == '\r' || attrs[i] == '/'))
        ++i;
      const size_t nameStart = i;
      while (i < attrs.size() && attrs[i] != '=' && attrs[i] != ' ' && attrs[i] != '\t' &&
             attrs[i] != '\n' && attrs[i] != '\r' && attrs[i] != '/')
        ++i;
      const std::string_view name = attrs.substr(nameStart, i - nameStart);
      std::string_view val;
      if (i < attrs.size() && attrs[i] == '=') {
        ++i;
        const char quote = i < attrs.size() && (attrs[i] == '"' || attrs[i] == '\'') ? attrs[i] : 0;
        const size_t start = quote ? i + 1 : i;
        size_t end = quote ? attrs.find(quote, start) : attrs.find_first_of(" \t\r\n", start);
        if (end == std::string_view::npos) end = attrs.size();
        val = attrs.substr(start, end - start);
        i = quote && end < attrs.size() ? end + 1 : end;
      }
      if (!name.empty() && name == key) {
        if (value) *value = std::string(val);
        return true;
      }
      if (name.empty()) ++i;
    }
    return false;
  }
};

Tag parseTag(std::string_view inner) {
  Tag t;
  size_t i = 0;
  if (i < inner.size() && inner[i] == '/') t.closing = true, ++i;
  if (i >= inner.size() || !isAsciiAlpha(inner[i])) return t;
  while (i < inner.size() && (isAsciiAlpha(inner[i]) || (inner[i] >= '0' && inner[i] <= '9')))
    t.name += lower(inner[i++]);
  t.attrs = inner.substr(i);
  t.selfClosing = !inner.empty() && inner.back() == '/';
  return t;
}

bool isHeading(const std::string& name) {
  return name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6';
}

// Tags that separate words when stripped; inline ones (span, a, sup...) join their neighbours.
bool breaksWords(const std::string& name) {
  for (const char* b : {"br", "p", "div", "li", "td", "th", "tr", "table", "ul", "ol", "img"})
    if (name == b) return true;
  return isHeading(name);
}

void appendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Code point of "#233" / "#x20AC", or 0 when not a valid numeric reference.
uint32_t numericEntity(std::string_view body) {
  if (body.size() < 2 || body[0] != '#') return 0;
  const bool hex = body[1] == 'x' || body[1] == 'X';
  const std::string_view digits = body.substr(hex ? 2 : 1);
  if (digits.empty() || digits.size() > 8) return 0;
  uint32_t cp = 0;
  for (char c : digits) {
    const int d = (c >= '0' && c <= '9')          ? c - '0'
                  : hex && (c >= 'a' && c <= 'f') ? c - 'a' + 10
                  : hex && (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                  : -1;
    if (d < 0) return 0;
    cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
  }
  const bool valid = cp > 0 && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
  return valid ? cp : 0;
}

}  // namespace

std::string HelpPage::unescape(std::string_view text) {
  static const std::pair<std::string_view, std::string_view> kNamed[] = {
      {"lt", "<"}, {"gt", ">"}, {"amp", "&"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", "\xC2\xA0"}};
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const size_t semi = text[i] == '&' ? text.find(';', i + 1) : std::string_view::npos;
    if (semi == std::string_view::npos || semi - i > 10) {
      out += text[i];
      continue;
    }
    const std::string_view body = text.substr(i + 1, semi - i - 1);
    bool done = false;
    for (const auto& [name, value] : kNamed)
      if (body == name) out += value, done = true;
    if (const uint32_t cp = done ? 0 : numericEntity(body)) appendUtf8(cp, out), done = true;
    if (done)
      i = semi;
    else
      out += text[i];
  }
  return out;
}

HelpPage HelpPage::parse(std::string_view html) {
  HelpPage page;
  std::string open, id, text;  // the paragraph being read: its tag, id and raw text
  int depth = 0, hidden = 0;   // nesting of `open`; of a hidden variant being skipped
  size_t i = 0;
  while (i < html.size()) {
    const size_t lt = html.find('<', i);
    if (!open.empty() && hidden == 0) text.append(html.substr(i, lt - i));
    if (lt == std::string_view::npos) break;
    if (html.compare(lt, 4, "<!--") == 0) {
      const size_t end = html.find("-->", lt + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    const size_t gt = html.find('>', lt);
    const Tag tag = parseTag(html.substr(lt + 1, gt == std::string_view::npos ? 0 : gt - lt - 1));
    if (gt == std::string_view::npos || tag.name.empty()) {  // a stray '<' is text
      if (!open.empty() && hidden == 0) text += '<';
      i = lt + 1;
      continue;
    }
    i = gt + 1;
    if ((tag.name == "script" || tag.name == "style") && !tag.closing) {
      const size_t end = html.find("</" + tag.name, i);
      i = end == std::string_view::npos ? html.size() : end;
      continue;
    }
    if (open.empty()) {
      std::string cls;
      tag.get("class", &cls);
      if (!tag.closing && !tag.selfClosing && (tag.name == "p" || isHeading(tag.name)) &&
          tag.get("id", &id) && !id.empty() && cls.find("code") == std::string::npos)
        open = tag.name, depth = 1, hidden = 0, text.clear();
      continue;
    }
    if (tag.name == open && !tag.selfClosing) {
      depth += tag.closing ? -1 : 1;
      if (depth == 0) {
        page.add(std::move(id), collapseWhitespace(unescape(text)));
        open.clear();
      }
      continue;
    }
    if (hidden > 0) {
      if (tag.name == "span" && !tag.selfClosing) hidden += tag.closing ? -1 : 1;
      continue;
    }
    std::string variant;
    if (tag.name == "span" && !tag.closing && !tag.selfClosing && tag.get("hidden") &&
        !(tag.get("id", &variant) && variant.rfind("default", 0) == 0)) {
      hidden = 1;
      continue;
    }
    if (breaksWords(tag.name)) text += ' ';
  }
  return page;
}

void HelpPage::add(std::string id, std::string text) {
  for (const auto& p : m_paragraphs)
    if (p.id == id) {
      if (p.text != text) m_ambiguous.insert(id);
      return;
    }
  m_paragraphs.push_back({std::move(id), std::move(text)});
}

const std::string* HelpPage::find(const std::string& id) const {
  for (const auto& p : m_paragraphs)
    if (p.id == id) return &p.text;
  return nullptr;
}

}  // namespace automoe
