#pragma once
// How well a latency predictor fits: its metrics on the training rows, on the held-out rows (with
// each row's machine state, and for the median state), and the mean-latency baseline. Torch-free.
#include <nlohmann/json.hpp>

#include "latency/predictor_metrics.h"

namespace automoe {

struct PredictorReport {
  PredictorMetrics train;
  PredictorMetrics test;          // held-out rows, each with its machine state (count 0: none)
  PredictorMetrics testTypical;   // held-out rows predicted for the median state (as predictMs)
  PredictorMetrics meanBaseline;  // predicting the training mean for every held-out row
  double seconds = 0;             // training wall time
  nlohmann::json toJson() const;
};

}  // namespace automoe
