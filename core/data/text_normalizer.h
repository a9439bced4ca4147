#pragma once
// Text helpers shared by the corpus builder: whitespace clean-up, the normalised form used to
// compare English sentences across splits, word counts and UTF-8 lengths. Byte-oriented UTF-8:
// ASCII is case-folded and punctuation-stripped; other code points are kept as they are.
#include <string>
#include <string_view>
#include <vector>

namespace automoe {

// Trims and replaces every run of whitespace (space, tab, CR, LF, NBSP) by one space.
std::string collapseWhitespace(std::string_view text);

// Lower-case ASCII, ASCII punctuation and whitespace runs -> one space, trimmed. Two English
// sentences that differ only in case, punctuation or spacing have the same normalised form.
std::string normaliseForMatch(std::string_view text);

// Space-separated words of a normalised string.
std::vector<std::string> splitWords(std::string_view normalised);

// Number of whitespace-separated tokens that contain a letter or digit.
size_t countWords(std::string_view text);

// Well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF).
bool isValidUtf8(std::string_view text);

// Number of UTF-8 code points.
size_t utf8Length(std::string_view text);

}  // namespace automoe
