#pragma once
// Rule-based sentence splitter for English, German and French technical prose (package
// descriptions, documentation). Splits after . ! ? (plus closing quotes/brackets) when a space
// and an upper-case letter, digit or opening quote follow, except after abbreviations
// ("e.g.", "z.B.", "etc."), initials ("A.") and dotted acronyms ("B.C."). Conservative on
// purpose: a missed split only merges two sentences, which the aligner tolerates.
#include <string>
#include <string_view>
#include <vector>

namespace automoe {

// `text` is one block of running text (whitespace already collapsed).
std::vector<std::string> splitSentences(std::string_view text);

}  // namespace automoe
