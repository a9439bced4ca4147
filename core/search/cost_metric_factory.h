#pragma once
// Builds the cost metrics a project's search section names, for the CLI and the GUI. The latency
// metrics use the search's hardware profile: predicted_latency loads the profile's trained
// predictor (runs/latency/<profile>.predictor.*), measured_latency measures seeded random
// standalone subnets with a LatencyProfiler (as the latency dataset does). FLOPs are counted for
// one sentence of the profile's source and target length (AutoMoE: 30 and 30).
#include <memory>
#include <string>

#include "latency/hardware_profile.h"
#include "search/cost_metric.h"

namespace automoe {

struct Project;
class LatencyPredictor;
class LatencyProfiler;

class CostMetricFactory {
 public:
  // ConfigError naming the project file and field if search.profile is unknown.
  explicit CostMetricFactory(const Project& project);
  ~CostMetricFactory();

  // ConfigError when `name` is unknown or the predictor is missing/incompatible (naming the file
  // and the command that makes it). Metrics are built once per name and shared.
  std::shared_ptr<CostMetric> make(const std::string& name);
  const HardwareProfile& profile() const { return m_profile; }
  // Whether a trained predictor exists for the profile (for recording predicted_latency anyway).
  bool predictorAvailable() const;

 private:
  const Project& m_project;
  HardwareProfile m_profile;
  std::shared_ptr<const LatencyPredictor> m_predictor;
  std::unique_ptr<LatencyProfiler> m_profiler;
  std::vector<std::shared_ptr<CostMetric>> m_made;
};

}  // namespace automoe
