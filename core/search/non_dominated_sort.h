#pragma once
// Deb et al.'s fast non-dominated sort (NSGA-II) for minimisation of any number of objectives.
#include <array>
#include <vector>

namespace automoe {

using Objectives = std::array<double, 2>;  // both minimised: (validation loss, cost)

// a dominates b: no worse in every objective and better in at least one.
bool dominates(const Objectives& a, const Objectives& b);

// Fronts of indices into `points`: front 0 is non-dominated, front 1 is non-dominated once front 0
// is removed, ... Indices inside a front are ascending.
std::vector<std::vector<int>> nonDominatedSort(const std::vector<Objectives>& points);

// rank[i] = the front `points[i]` belongs to.
std::vector<int> paretoRanks(const std::vector<Objectives>& points);

}  // namespace automoe
