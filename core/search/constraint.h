#pragma once
// A limit on a cost metric: the subnet satisfies it when metric.value(arch) <= limit (both in the
// metric's unit, so FLOPs are never compared with GFLOPs: spec §13 bug 4).
#include <memory>
#include <string>

#include "search/cost_metric.h"

namespace automoe {

struct Constraint {
  std::shared_ptr<CostMetric> metric;
  double limit = 0;

  struct Check {
    bool satisfied = false;
    double value = 0;
  };
  Check check(const ArchConfig& arch) const;
  bool satisfied(const ArchConfig& arch) const { return check(arch).satisfied; }
  // "predicted_latency 123.4 ms <= 200 ms" (with "> " when violated).
  std::string describe(double value) const;
};

}  // namespace automoe
