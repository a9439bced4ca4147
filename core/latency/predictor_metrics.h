#pragma once
// Accuracy of latency predictions against measurements: RMSE in ms, mean absolute percentage
// error, and Kendall's tau-b (rank agreement: what a search comparing subnets needs).
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace automoe {

struct PredictorMetrics {
  int count = 0;
  double rmseMs = 0;
  double mape = 0;        // fraction, e.g. 0.05 = 5%
  double kendallTau = 0;  // tau-b in [-1, 1]; 0 when undefined (fewer than 2 values, all tied)

  nlohmann::json toJson() const;
};

// Throws std::invalid_argument when the sizes differ.
PredictorMetrics evaluatePredictions(const std::vector<double>& measuredMs,
                                     const std::vector<double>& predictedMs);
double kendallTau(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace automoe
