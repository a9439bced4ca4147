#pragma once
// The paragraphs of one LibreOffice help page (the HTML of libreoffice-help-<lang>): every <p>
// and <h1>..<h6> that carries an id= attribute (par_id..., hd_id...; the same ids in every
// language), with its text: markup stripped, entities unescaped, whitespace collapsed. Inline
// variants (<span class="switchinline"> holding hidden <span>s per system or module) keep only
// the "default..." case, as the help shows without JavaScript; code paragraphs (class *code*)
// are skipped. An id can occur more than once on a page (embedded sections): the first text is
// kept, and the id is marked ambiguous when a later occurrence has a different text.
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace automoe {

struct HelpParagraph {
  std::string id;
  std::string text;  // may be empty (anchors, image-only paragraphs)
};

class HelpPage {
 public:
  static HelpPage parse(std::string_view html);

  // In page order, one per id.
  const std::vector<HelpParagraph>& paragraphs() const { return m_paragraphs; }
  // Ids that occur again on the page with another text.
  const std::set<std::string>& ambiguous() const { return m_ambiguous; }
  // Text of `id`, or nullptr when the page has no such paragraph.
  const std::string* find(const std::string& id) const;

  // "&lt;a&gt; &amp; &#233;&#x20AC;" -> "<a> & é€"; unknown entities stay as they are.
  static std::string unescape(std::string_view text);

 private:
  void add(std::string id, std::string text);

  std::vector<HelpParagraph> m_paragraphs;
  std::set<std::string> m_ambiguous;
};

}  // namespace automoe
