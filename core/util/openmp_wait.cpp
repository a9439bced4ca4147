#include "util/openmp_wait.h"

#include <cstdlib>

namespace automoe {

bool capOpenMpSpinning() {
  if (std::getenv("GOMP_SPINCOUNT") || std::getenv("OMP_WAIT_POLICY")) return false;
  const char* threads = std::getenv("OMP_NUM_THREADS");
  if (threads && std::string(threads) == "1") return false;  // one thread: nobody waits
  setenv("GOMP_SPINCOUNT", kOpenMpSpinCount, 1);
  return true;
}

std::string openMpWaitSetting() {
  std::string out;
  for (const char* name : {"OMP_WAIT_POLICY", "GOMP_SPINCOUNT"})
    if (const char* v = std::getenv(name)) out += (out.empty() ? "" : " ") + std::string(name) + "=" + v;
  return out.empty() ? "default" : out;
}

}  // namespace automoe
