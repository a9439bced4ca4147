#include "util/huge_pages.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "util/heap_allocator.h"

namespace automoe {

namespace {

constexpr const char* kTunable = "glibc.malloc.hugetlb";

// The value of glibc.malloc.hugetlb in tunables text ("name=value:name=value"), "" if absent.
std::string hugetlbIn(const std::string& tunables) {
  std::istringstream in(tunables);
  std::string item;
  const std::string prefix = std::string(kTunable) + "=";
  while (std::getline(in, item, ':'))
    if (item.rfind(prefix, 0) == 0) return item.substr(prefix.size());
  return "";
}

// In the environment as it is now (what a re-exec would start with).
std::string chosenHugetlb() {
  const char* env = std::getenv("GLIBC_TUNABLES");
  return env ? hugetlbIn(env) : "";
}

// In the environment this process was started with, which is what glibc read: /proc/self/environ
// keeps the block exec gave us, while setenv only changes the copy.
std::string startedHugetlb() {
  std::ifstream in("/proc/self/environ", std::ios::binary);
  std::string entry;
  while (std::getline(in, entry, '\0'))
    if (entry.rfind("GLIBC_TUNABLES=", 0) == 0) return hugetlbIn(entry.substr(15));
  return "";
}

}  // namespace

std::string transparentHugePageMode(const std::string& sysfsText) {
  const size_t open = sysfsText.find('['), close = sysfsText.find(']', open);
  if (open == std::string::npos || close == std::string::npos) return "";
  return sysfsText.substr(open + 1, close - open - 1);
}

std::string transparentHugePageMode() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string text;
  std::getline(in, text);
  return transparentHugePageMode(text);
}

bool requestHugePageHeap(const std::string& thpMode) {
  const char* off = std::getenv("AUTOMOE_HUGE_PAGES");
  if (off && std::string(off) == "0") return false;
  if (thpMode != "always" && thpMode != "madvise") return false;
  if (!glibcHeap()) return false;  // another malloc (tcmalloc) ignores glibc's tunables
  if (!chosenHugetlb().empty()) return false;  // the user's choice, or we are the re-exec
  const char* env = std::getenv("GLIBC_TUNABLES");
  std::string value = env && *env ? std::string(env) + ":" : std::string();
  value += std::string(kTunable) + "=1";
  setenv("GLIBC_TUNABLES", value.c_str(), 1);
  return true;
}

bool requestHugePageHeap() { return requestHugePageHeap(transparentHugePageMode()); }

std::string hugePageSetting() {
  const std::string chosen = startedHugetlb();
  const std::string mode = transparentHugePageMode();
  return (chosen.empty() ? std::string("default") : std::string(kTunable) + "=" + chosen) + " (THP " +
         (mode.empty() ? std::string("unavailable") : mode) + ")";
}

}  // namespace automoe
