#include "latency/predictor_report.h"

namespace automoe {

nlohmann::json PredictorReport::toJson() const {
  return {{"train", train.toJson()},
          {"test", test.toJson()},
          {"test_typical_state", testTypical.toJson()},
          {"mean_baseline", meanBaseline.toJson()},
          {"seconds", seconds}};
}

}  // namespace automoe
