#include "train/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace automoe {

double LrSchedule::at(int64_t step) const {
  const double s = static_cast<double>(step + 1);  // the first update already warms up
  if (m_o.kind == "constant") return m_o.maxLr;
  if (step < m_o.warmupUpdates)
    return m_o.warmupInitLr + (m_o.maxLr - m_o.warmupInitLr) * s / static_cast<double>(m_o.warmupUpdates);
  if (m_o.kind == "inverse_sqrt")
    return m_o.maxLr * std::sqrt(static_cast<double>(std::max<int64_t>(m_o.warmupUpdates, 1))) / std::sqrt(s);
  const double period = static_cast<double>(std::max<int64_t>(m_o.totalUpdates - m_o.warmupUpdates, 1));
  const double t = std::min(1.0, (s - static_cast<double>(m_o.warmupUpdates)) / period);
  const double pi = std::acos(-1.0);
  return m_o.minLr + 0.5 * (m_o.maxLr - m_o.minLr) * (1.0 + std::cos(pi * t));
}

}  // namespace automoe
