#pragma once
// One package description from a DDTP Translation-xx index, cut into the units the aligner pairs:
// the synopsis (first line), then paragraphs (separated by " ." lines), each a list of blocks
// (a run of prose, or one bullet item with its continuation lines).
#include <string>
#include <vector>

namespace automoe {

struct DdtpDescription {
  std::string package;
  std::string md5;
  std::string synopsis;
  std::vector<std::vector<std::string>> paragraphs;  // paragraph -> blocks, whitespace collapsed

  // `longLines` are the extended-description lines as they appear in the file (each starting
  // with one space; " ." separates paragraphs).
  static DdtpDescription fromFields(std::string package, std::string md5,
                                    const std::string& synopsis,
                                    const std::vector<std::string>& longLines);
};

}  // namespace automoe
