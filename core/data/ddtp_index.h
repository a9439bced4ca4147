#pragma once
// A parsed DDTP index (Translation-en, Translation-de, ...): RFC 822-style records with
// "Package:", "Description-md5:" and "Description-<lang>:" plus continuation lines. Records are
// looked up by Description-md5, the key that ties a translation to the English text it translates.
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "data/ddtp_description.h"

namespace automoe {

class DdtpIndex {
 public:
  // `source` names the file in errors. Throws ConfigError when the text has no record with a
  // "Description-<lang>" field or a record is malformed (the message names the line).
  static DdtpIndex parse(std::string_view text, const std::string& lang, const std::string& source);

  // First record with this Description-md5, or nullptr.
  const DdtpDescription* find(const std::string& md5) const;
  const std::vector<DdtpDescription>& entries() const { return m_entries; }

 private:
  std::vector<DdtpDescription> m_entries;  // file order, one per md5
  std::unordered_map<std::string, size_t> m_byMd5;
};

}  // namespace automoe
