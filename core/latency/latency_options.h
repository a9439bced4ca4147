#pragma once
// The project's "latency" section: how many subnets the latency dataset measures, its sampling
// seed, and the predictor's hyper-parameters. Torch-free.
#include <cstdint>

#include <nlohmann/json_fwd.hpp>

#include "latency/latency_predictor_options.h"

namespace automoe {

class JsonReader;

struct LatencyOptions {
  int datasetSamples = 300;  // default of `automoe latency dataset` without --samples
  uint64_t seed = 1;         // dataset sampling seed
  LatencyPredictorOptions predictor;

  // `defaultSeed` (the project's seed) is used when the section names none.
  static LatencyOptions fromJson(const JsonReader& r, uint64_t defaultSeed);
  static LatencyOptions defaults(uint64_t seed);
  nlohmann::json toJson() const;
};

}  // namespace automoe
