#include "search/constraint.h"

#include <cstdio>
#include <stdexcept>

namespace automoe {

Constraint::Check Constraint::check(const ArchConfig& arch) const {
  if (!metric) throw std::logic_error("Constraint without a metric");
  Check c;
  c.value = metric->value(arch);
  c.satisfied = c.value <= limit;
  return c;
}

std::string Constraint::describe(double value) const {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s %.6g %s %s %.6g %s", metric->name().c_str(), value,
                metric->unit().c_str(), value <= limit ? "<=" : ">", limit, metric->unit().c_str());
  return buf;
}

}  // namespace automoe
