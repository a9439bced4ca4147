#include "data/ddtp_description.h"

#include <string_view>

#include "data/text_normalizer.h"

namespace automoe {

namespace {

// Length of the bullet marker at the start of `t` ("* ", "- ", "• ", "1. "), 0 if none.
size_t bulletLength(std::string_view t) {
  for (std::string_view m : {"* ", "- ", "+ ", "o ", "\u2022 ", "\u2013 ", "\u00b7 "})
    if (t.substr(0, m.size()) == m) return m.size();
  size_t d = 0;
  while (d < t.size() && d < 3 && t[d] >= '0' && t[d] <= '9') ++d;
  if (d > 0 && d + 1 < t.size() && (t[d] == '.' || t[d] == ')') && t[d + 1] == ' ') return d + 2;
  return 0;
}

}  // namespace

DdtpDescription DdtpDescription::fromFields(std::string package, std::string md5,
                                            const std::string& synopsis,
                                            const std::vector<std::string>& longLines) {
  DdtpDescription d;
  d.package = std::move(package);
  d.md5 = std::move(md5);
  d.synopsis = collapseWhitespace(synopsis);
  std::vector<std::string> blocks;
  std::string block;
  bool inItem = false;
  const auto flushBlock = [&] {
    const std::string text = collapseWhitespace(block);
    if (!text.empty()) blocks.push_back(text);
    block.clear();
    inItem = false;
  };
  const auto flushParagraph = [&] {
    flushBlock();
    if (!blocks.empty()) d.paragraphs.push_back(std::move(blocks));
    blocks.clear();
  };
  for (const std::string& raw : longLines) {
    std::string_view content(raw);
    if (!content.empty() && content[0] == ' ') content.remove_prefix(1);
    if (content == ".") {
      flushParagraph();
      continue;
    }
    const size_t indent = content.find_first_not_of(' ');
    if (indent == std::string_view::npos) continue;
    const std::string_view t = content.substr(indent);
    if (const size_t marker = bulletLength(t)) {
      flushBlock();
      block = std::string(t.substr(marker));
      inItem = true;
      continue;
    }
    if (inItem && indent == 0) flushBlock();  // unindented prose after a list
    block += ' ';
    block += t;
  }
  flushParagraph();
  return d;
}

}  // namespace automoe
