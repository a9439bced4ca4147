#include "search/crowding_distance.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace automoe {

std::vector<double> crowdingDistance(const std::vector<Objectives>& points, const std::vector<int>& front) {
  const size_t n = front.size();
  std::vector<double> d(n, 0.0);
  if (n <= 2) {
    std::fill(d.begin(), d.end(), std::numeric_limits<double>::infinity());
    return d;
  }
  std::vector<size_t> order(n);
  for (size_t k = 0; k < Objectives().size(); ++k) {
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return points[front[a]][k] < points[front[b]][k]; });
    const double lo = points[front[order.front()]][k], hi = points[front[order.back()]][k];
    d[order.front()] = d[order.back()] = std::numeric_limits<double>::infinity();
    if (hi <= lo) continue;
    for (size_t r = 1; r + 1 < n; ++r)
      d[order[r]] += (points[front[order[r + 1]]][k] - points[front[order[r - 1]]][k]) / (hi - lo);
  }
  return d;
}

}  // namespace automoe
