#pragma once
// English -> translation pairs from a gettext catalog: a .mo file (decompiled with msgunfmt) or
// .po text. Cleaning follows data_sources.md: accelerator markers are removed (the header's
// X-Accelerator-Marker, or one marker that both sides carry before a letter), markup is
// stripped and entities unescaped, column-formatted --help blocks and entries with printf, Qt,
// brace or shell placeholders are dropped. Pairs are UI strings: prose = false (train only).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "data/sentence_pair.h"

namespace automoe {

class GettextCatalog {
 public:
  // Parses msgunfmt/.po text; `origin` becomes each pair's origin.
  static GettextCatalog parsePo(const std::string& text, const std::string& origin);
  // Runs `msgunfmt` on a .mo file. Throws std::runtime_error when it fails.
  static GettextCatalog readMo(const std::string& path, const std::string& origin);

  const std::vector<SentencePair>& pairs() const { return m_pairs; }
  const std::map<std::string, int64_t>& dropped() const { return m_dropped; }

  // Exposed for tests.
  static bool hasPlaceholder(const std::string& text);
  static std::string stripMarkup(const std::string& text);

 private:
  void add(const std::string& msgid, const std::string& msgstr, char marker,
           const std::string& origin);

  std::vector<SentencePair> m_pairs;
  std::map<std::string, int64_t> m_dropped;
};

}  // namespace automoe
