#pragma once
// "how long the rest takes" for progress lines: the pace of the items done since construction
// (made just before the work starts) applied to the items left. "42s", "7m05s", "3h12m", "2d04h".
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace automoe::cli {

class TimeLeft {
 public:
  // `done` items finished since construction (> 0), `left` still to do.
  std::string after(int64_t done, int64_t left) const {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    return format(done > 0 ? elapsed / static_cast<double>(done) * static_cast<double>(left) : 0.0);
  }

  static std::string format(double seconds) {
    const auto s = static_cast<long long>(seconds + 0.5);
    char b[32];
    if (s < 60) std::snprintf(b, sizeof b, "%llds", s);
    else if (s < 3600) std::snprintf(b, sizeof b, "%lldm%02llds", s / 60, s % 60);
    else if (s < 86400) std::snprintf(b, sizeof b, "%lldh%02lldm", s / 3600, s % 3600 / 60);
    else std::snprintf(b, sizeof b, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
    return b;
  }

 private:
  std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
};

}  // namespace automoe::cli
