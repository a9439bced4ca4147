#pragma once
// Synthetic LibreOffice help pages for the data tests: the HTML skeleton of the real pages
// (<head> with scripts, <div id="DisplayArea">, paragraphs with par_id/hd_id ids) around the
// paragraphs a test chooses, written under <root>/<help language>/text/... as the packages do.
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "util/atomic_file.h"

namespace automoe::testing {

// (tag with attributes, inner HTML), e.g. {"p id=\"par_id1\" class=\"paragraph\"", "Text"}.
using HelpElements = std::vector<std::pair<std::string, std::string>>;

inline std::string helpPageHtml(const std::string& lang, const HelpElements& elements) {
  std::string html = "<!DOCTYPE html>\n<html lang=\"" + lang +
                     "\" dir=\"ltr\">\n<head>\n<title>Page</title>\n"
                     "<script type=\"text/javascript\">var t = \"<p id='par_js'>x</p>\";</script>\n"
                     "</head>\n<body>\n<header><p dir=\"auto\">LibreOffice Help</p></header>\n"
                     "<div id=\"DisplayArea\" itemprop=\"softwareHelp\">\n";
  for (const auto& [tag, inner] : elements) {
    const std::string name = tag.substr(0, tag.find(' '));
    html += "  <" + tag + ">" + inner + "</" + name + ">\n";
  }
  return html + "</div>\n<!-- footer <p id=\"par_comment\">no</p> -->\n</body>\n</html>\n";
}

// Writes <root>/<helpLang>/<page> (page like "text/swriter/guide/a.html").
inline void writeHelpPage(const std::string& root, const std::string& helpLang,
                          const std::string& page, const HelpElements& elements) {
  const std::string path = root + "/" + helpLang + "/" + page;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  writeFileAtomically(path, helpPageHtml(helpLang, elements));
}

// A paragraph element: <p id="<id>" class="paragraph" dir="auto">.
inline std::pair<std::string, std::string> helpParagraph(const std::string& id,
                                                         const std::string& inner) {
  return {"p id=\"" + id + "\" class=\"paragraph\" dir=\"auto\"", inner};
}

}  // namespace automoe::testing
