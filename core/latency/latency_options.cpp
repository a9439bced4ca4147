#include "latency/latency_options.h"

#include <nlohmann/json.hpp>

#include "util/json_reader.h"

namespace automoe {

LatencyOptions LatencyOptions::defaults(uint64_t seed) {
  LatencyOptions o;
  o.seed = seed;
  o.predictor.seed = seed;
  return o;
}

LatencyOptions LatencyOptions::fromJson(const JsonReader& r, uint64_t defaultSeed) {
  r.rejectUnknownKeys({"dataset_samples", "seed", "predictor"});
  LatencyOptions o = defaults(defaultSeed);
  const int64_t n = r.getInt("dataset_samples", o.datasetSamples);
  if (n < 1 || n > 1000000) r.fail("dataset_samples", "must be in [1, 1000000]");
  o.datasetSamples = static_cast<int>(n);
  const int64_t seed = r.getInt("seed", static_cast<int64_t>(defaultSeed));
  if (seed < 0) r.fail("seed", "must be >= 0");
  o.seed = static_cast<uint64_t>(seed);
  o.predictor.seed = o.seed;
  if (r.has("predictor")) {
    const JsonReader pr = r.child("predictor");
    o.predictor = LatencyPredictorOptions::fromJson(pr);
    if (!pr.has("seed")) o.predictor.seed = o.seed;
  }
  return o;
}

nlohmann::json LatencyOptions::toJson() const {
  return {{"dataset_samples", datasetSamples}, {"seed", seed}, {"predictor", predictor.toJson()}};
}

}  // namespace automoe
