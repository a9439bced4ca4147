#include "search/hypervolume.h"

#include <algorithm>

namespace automoe {

double hypervolume2d(const std::vector<Objectives>& points, const Objectives& ref) {
  std::vector<Objectives> p;
  for (const auto& x : points)
    if (x[0] < ref[0] && x[1] < ref[1]) p.push_back(x);
  // Sweep along the first objective; each point adds the strip between it and the lowest second
  // objective seen so far.
  std::sort(p.begin(), p.end());
  double area = 0, yBest = ref[1];
  for (const auto& x : p) {
    if (x[1] >= yBest) continue;  // dominated (or equal) by an earlier point
    area += (ref[0] - x[0]) * (yBest - x[1]);
    yBest = x[1];
  }
  return area;
}

}  // namespace automoe
