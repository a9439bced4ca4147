#pragma once
// One interface for every cost a search can constrain or trade off: predicted latency, measured
// latency, FLOPs, total and active parameters. The search takes metrics as parameters and never
// needs to know which one it got. value() is non-const because some metrics cache (measured
// latency) or are expensive.
#include <string>

namespace automoe {

struct ArchConfig;

class CostMetric {
 public:
  virtual ~CostMetric() = default;
  virtual std::string name() const = 0;  // e.g. "predicted_latency"
  virtual std::string unit() const = 0;  // e.g. "ms", "FLOPs", "params"
  virtual double value(const ArchConfig& arch) = 0;
};

}  // namespace automoe
