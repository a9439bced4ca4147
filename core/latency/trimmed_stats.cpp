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
  // round(trim * n) values at each end, and at least one once there are 5 or more (AutoMoE's
  // dataset script also always drops one): a single hiccup never enters the mean.
  size_t cut = static_cast<size_t>(std::floor(trim * static_cast<double>(n) + 0.5));
  if (trim > 0 && n >= 5) cut = std::max<size_t>(cut, 1);
  if (2 * cut >= n) cut = (n - 1) / 2;
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
