#pragma once
// Latency in ms measured on this machine ("gold" latency), cached by gene vector so that a subnet
// is measured once per metric object however often the search asks (AutoMoE re-measures parents
// every generation: spec §13 bug 5).
#include <functional>
#include <map>
#include <vector>

#include "arch/gene_codec.h"
#include "search/cost_metric.h"

namespace automoe {

class LatencyProfiler;

class MeasuredLatencyMetric final : public CostMetric {
 public:
  using Measure = std::function<double(const ArchConfig&)>;  // ms

  // Measures with `profiler` (which must outlive the metric).
  MeasuredLatencyMetric(const LatencyProfiler& profiler, const SearchSpace& space);
  // Any measurement function (tests, remote devices).
  MeasuredLatencyMetric(Measure measure, const SearchSpace& space);

  std::string name() const override { return "measured_latency"; }
  std::string unit() const override { return "ms"; }
  double value(const ArchConfig& arch) override;

  int measurements() const { return m_measurements; }  // cache misses so far

 private:
  Measure m_measure;
  GeneCodec m_codec;
  std::map<std::vector<int>, double> m_cache;
  int m_measurements = 0;
};

}  // namespace automoe
