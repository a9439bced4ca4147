#pragma once
// Latency in ms from a trained LatencyPredictor (cheap; the search's default).
#include <memory>

#include "search/cost_metric.h"

namespace automoe {

class LatencyPredictor;

class PredictedLatencyMetric final : public CostMetric {
 public:
  explicit PredictedLatencyMetric(std::shared_ptr<const LatencyPredictor> predictor);
  std::string name() const override { return "predicted_latency"; }
  std::string unit() const override { return "ms"; }
  double value(const ArchConfig& arch) override;

 private:
  std::shared_ptr<const LatencyPredictor> m_predictor;
};

}  // namespace automoe
