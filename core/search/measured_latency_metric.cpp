#include "search/measured_latency_metric.h"

#include <stdexcept>

#include "arch/arch_config.h"
#include "latency/latency_profiler.h"

namespace automoe {

MeasuredLatencyMetric::MeasuredLatencyMetric(const LatencyProfiler& profiler, const SearchSpace& space)
    : MeasuredLatencyMetric(
          [&profiler](const ArchConfig& arch) {
            const auto m = profiler.measure(arch);
            if (!m) throw std::runtime_error("latency measurement stopped");
            return m->meanMs();
          },
          space) {}

MeasuredLatencyMetric::MeasuredLatencyMetric(Measure measure, const SearchSpace& space)
    : m_measure(std::move(measure)), m_codec(space) {}

double MeasuredLatencyMetric::value(const ArchConfig& arch) {
  const std::vector<int> key = m_codec.encode(arch);
  auto it = m_cache.find(key);
  if (it != m_cache.end()) return it->second;
  const double ms = m_measure(arch);
  ++m_measurements;
  m_cache.emplace(key, ms);
  return ms;
}

}  // namespace automoe
