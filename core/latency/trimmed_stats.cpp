#include "latency/trimmed_stats.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace automoe {

TrimmedStats trimmedStats(std::vector<double> values, double trim) {
  if (values.empty()) throw std::invalid_argument("trimmedStats: no values");
  if (!(trim >= 0 && trim < 0.5)) throw std::invalid_argument("trimmedStats: trim must be in [0, 0.5)");
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  const size_t cut = static_cast<size_t>(std::floor(trim * static_cast<double>(n)));
  TrimmedStats s;
  s.kept = static_cast<int>(n - 2 * cut);
  s.dropped = static_cast<int>(2 * cut);
  double sum = 0;
  for (size_t i = cut; i < n - cut; ++i) sum += values[i];
  s.mean = sum / s.kept;
  double sq = 0;
  for (size_t i = cut; i < n - cut; ++i) sq += (values[i] - s.mean) * (values[i] - s.mean);
  s.std = s.kept > 1 ? std::sqrt(sq / (s.kept - 1)) : 0.0;
  s.cv = s.mean != 0 ? s.std / s.mean : 0.0;
  return s;
}

}  // namespace automoe
