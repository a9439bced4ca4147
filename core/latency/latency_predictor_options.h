#pragma once
// Hyper-parameters of the latency predictor (project file: "latency": {"predictor": {...}}).
// Torch-free so that the project file can hold them.
#include <cstdint>

#include <nlohmann/json_fwd.hpp>

namespace automoe {

class JsonReader;

struct LatencyPredictorOptions {
  int hiddenDim = 128;        // width of every hidden layer of the MLP
  int hiddenLayers = 2;       // number of hidden layers (ReLU)
  int steps = 3000;           // Adam steps (full batch: the datasets have hundreds of rows)
  double learningRate = 3e-3;
  double weightDecay = 1.0;   // AdamW decoupled decay; strong: datasets have only hundreds of rows
  double holdout = 0.2;       // fraction of the dataset kept out of training for the report
  bool logTarget = true;      // regress log(latency): errors become relative, MAPE improves
  // L2 penalty of the linear term (closed-form ridge on standardised inputs); negative ("auto" in
  // the project file): chosen by 5-fold cross-validation on the training rows.
  double ridge = -1.0;
  uint64_t seed = 1;          // initialisation, split and batch order

  static LatencyPredictorOptions fromJson(const JsonReader& r);
  nlohmann::json toJson() const;
};

}  // namespace automoe
