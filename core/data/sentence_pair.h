#pragma once
// One aligned English -> target pair with the place it came from ("ddtp:0ad", "gettext:git/git").
#include <string>

namespace automoe {

struct SentencePair {
  std::string src;     // English
  std::string tgt;     // German or French
  std::string origin;  // "<source>:<package>[/<domain>]"
  bool prose = true;   // running text (may go to valid/test); false for UI strings (train only)
};

}  // namespace automoe
