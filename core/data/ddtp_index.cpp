#include "data/ddtp_index.h"

#include "util/config_error.h"

namespace automoe {

DdtpIndex DdtpIndex::parse(std::string_view text, const std::string& lang,
                           const std::string& source) {
  DdtpIndex index;
  const std::string descField = "Description-" + lang;
  std::string package, md5, synopsis;
  std::vector<std::string> longLines;
  bool inDescription = false, inRecord = false;
  size_t lineNo = 0, recordLine = 0;
  const auto finishRecord = [&] {
    if (inRecord && !synopsis.empty()) {
      if (md5.empty())
        throw ConfigError(source + ":" + std::to_string(recordLine) + ": record of package '" +
                          package + "' has no Description-md5");
      if (!index.m_byMd5.count(md5)) {
        index.m_byMd5.emplace(md5, index.m_entries.size());
        index.m_entries.push_back(DdtpDescription::fromFields(package, md5, synopsis, longLines));
      }
    }
    package.clear(), md5.clear(), synopsis.clear(), longLines.clear();
    inDescription = inRecord = false;
  };
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      finishRecord();
      if (end == text.size()) break;
      continue;
    }
    if (line[0] == ' ' || line[0] == '\t') {
      if (!inRecord)
        throw ConfigError(source + ":" + std::to_string(lineNo) +
                          ": continuation line outside a record");
      if (inDescription) longLines.emplace_back(line);
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos)
      throw ConfigError(source + ":" + std::to_string(lineNo) + ": expected 'Field: value', got '" +
                        std::string(line.substr(0, 60)) + "'");
    if (!inRecord) recordLine = lineNo;
    inRecord = true;
    const std::string_view field = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value[0] == ' ') value.remove_prefix(1);
    inDescription = field == descField;
    if (field == "Package")
      package = std::string(value);
    else if (field == "Description-md5")
      md5 = std::string(value);
    else if (inDescription)
      synopsis = std::string(value);
    if (end == text.size()) break;
  }
  finishRecord();
  if (index.m_entries.empty())
    throw ConfigError(source + ": no '" + descField + ":' records (is this a DDTP Translation-" +
                      lang + " index?)");
  return index;
}

const DdtpDescription* DdtpIndex::find(const std::string& md5) const {
  auto it = m_byMd5.find(md5);
  return it == m_byMd5.end() ? nullptr : &m_entries[it->second];
}

}  // namespace automoe
