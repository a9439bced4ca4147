#pragma once
// NSGA-II's crowding distance of the points of one front: for each objective, the normalised gap
// between a point's two neighbours along that objective, summed; the extreme points of every
// objective get +infinity so they are always kept.
#include <vector>

#include "search/non_dominated_sort.h"

namespace automoe {

// distance[k] belongs to points[front[k]].
std::vector<double> crowdingDistance(const std::vector<Objectives>& points, const std::vector<int>& front);

}  // namespace automoe
