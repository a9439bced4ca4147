#pragma once
// Area dominated by a set of 2-objective points (both minimised) and bounded by a reference point:
// the union of the rectangles [x, ref.x] x [y, ref.y]. Points not strictly better than the
// reference in both objectives add nothing. Dominated points and duplicates are allowed.
#include <vector>

#include "search/non_dominated_sort.h"

namespace automoe {

double hypervolume2d(const std::vector<Objectives>& points, const Objectives& reference);

}  // namespace automoe
