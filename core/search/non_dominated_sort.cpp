#include "search/non_dominated_sort.h"

#include <algorithm>

namespace automoe {

bool dominates(const Objectives& a, const Objectives& b) {
  bool better = false;
  for (size_t k = 0; k < a.size(); ++k) {
    if (a[k] > b[k]) return false;
    if (a[k] < b[k]) better = true;
  }
  return better;
}

std::vector<std::vector<int>> nonDominatedSort(const std::vector<Objectives>& points) {
  const int n = static_cast<int>(points.size());
  std::vector<std::vector<int>> dominated(n);  // dominated[i]: the points i dominates
  std::vector<int> dominatedBy(n, 0);          // how many points dominate i
  std::vector<std::vector<int>> fronts(1);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      if (i == j) continue;
      if (dominates(points[i], points[j])) dominated[i].push_back(j);
      else if (dominates(points[j], points[i])) ++dominatedBy[i];
    }
    if (dominatedBy[i] == 0) fronts[0].push_back(i);
  }
  while (!fronts.back().empty()) {
    std::vector<int> next;
    for (int i : fronts.back())
      for (int j : dominated[i])
        if (--dominatedBy[j] == 0) next.push_back(j);
    std::sort(next.begin(), next.end());
    fronts.push_back(next);
  }
  fronts.pop_back();
  return fronts;
}

std::vector<int> paretoRanks(const std::vector<Objectives>& points) {
  std::vector<int> rank(points.size(), 0);
  const auto fronts = nonDominatedSort(points);
  for (size_t f = 0; f < fronts.size(); ++f)
    for (int i : fronts[f]) rank[i] = static_cast<int>(f);
  return rank;
}

}  // namespace automoe
