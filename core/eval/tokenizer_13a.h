#pragma once
// sacreBLEU's default tokenizer "13a" (mteval-v13a.pl), reproduced exactly. BLEU's segment
// preprocessing comes first (Python's str.rstrip()), then:
//   remove "<skipped>" and "-\n", "\n" -> " ", unescape &quot; &amp; &lt; &gt; (in that order),
//   pad with one space on each side, then four regex substitutions applied one after the other:
//     ([\{-\~\[-\` -\&\(-\+\:-\@\/])  -> " \1 "   ASCII punctuation except ' , - .
//     ([^0-9])([\.,])                  -> "\1 \2 " period/comma not preceded by a digit
//     ([\.,])([^0-9])                  -> " \1 \2" period/comma not followed by a digit
//     ([0-9])(-)                       -> "\1 \2 " dash preceded by a digit
//   and finally split on (Unicode) whitespace and join with single spaces.
// The substitutions are leftmost, non-overlapping scans as Python's re.sub. They run on UTF-8
// bytes: [^0-9] then also matches one byte of a multi-byte character, which yields the same
// output as matching the whole code point, since no pattern can start on a continuation byte.
#include <string>

namespace automoe {

class Tokenizer13a {
 public:
  static std::string tokenize(const std::string& line);
  // Python's str.isspace() for one code point.
  static bool isUnicodeSpace(char32_t c);
};

}  // namespace automoe
