#pragma once
// Where a member's data lies in the bytes of a (non-ZIP64) zip archive, found through its central
// directory entry: for tests that damage one member of a LibTorch archive. LibTorch writes data
// descriptors (the local headers' sizes are 0), so the sizes come from the directory.
#include <cstdint>
#include <string>

namespace automoe::testing {

struct ZipMemberSpan {
  size_t offset = 0, size = 0;  // the member's stored (maybe deflated) bytes
  int method = -1;              // 0 stored, 8 deflated; -1 when no member has the name
};

// The first member whose name ends with `suffix` (LibTorch prefixes them with the archive's name).
inline ZipMemberSpan zipMemberSpan(const std::string& zip, const std::string& suffix) {
  auto le = [&zip](size_t at, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(zip[at + i]);
    return static_cast<size_t>(v);
  };
  const std::string entry("PK\x01\x02", 4);
  for (size_t at = zip.find(entry); at != std::string::npos; at = zip.find(entry, at + 4)) {
    if (at + 46 > zip.size()) break;
    const size_t n = le(at + 28, 2);
    if (n < suffix.size() || at + 46 + n > zip.size() || zip.compare(at + 46 + n - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const size_t local = le(at + 42, 4);
    return {local + 30 + le(local + 26, 2) + le(local + 28, 2), le(at + 20, 4), static_cast<int>(le(at + 10, 2))};
  }
  return {};
}

}  // namespace automoe::testing
