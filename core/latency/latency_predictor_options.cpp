#include "latency/latency_predictor_options.h"

#include <nlohmann/json.hpp>

#include "util/json_reader.h"

namespace automoe {

LatencyPredictorOptions LatencyPredictorOptions::fromJson(const JsonReader& r) {
  r.rejectUnknownKeys({"hidden_dim", "hidden_layers", "steps", "learning_rate", "weight_decay",
                       "holdout", "log_target", "ridge", "ensemble", "seed"});
  LatencyPredictorOptions o;
  o.hiddenDim = static_cast<int>(r.getInt("hidden_dim", o.hiddenDim));
  o.hiddenLayers = static_cast<int>(r.getInt("hidden_layers", o.hiddenLayers));
  o.steps = static_cast<int>(r.getInt("steps", o.steps));
  o.learningRate = r.getDouble("learning_rate", o.learningRate);
  o.weightDecay = r.getDouble("weight_decay", o.weightDecay);
  o.holdout = r.getDouble("holdout", o.holdout);
  o.logTarget = r.getBool("log_target", o.logTarget);
  o.ensemble = static_cast<int>(r.getInt("ensemble", o.ensemble));
  if (o.ensemble < 1 || o.ensemble > 64) r.fail("ensemble", "must be in [1, 64]");
  if (r.has("ridge") && r.raw("ridge").is_string()) {
    if (r.getString("ridge") != "auto") r.fail("ridge", "expected a number >= 0 or \"auto\"");
    o.ridge = -1.0;
  } else {
    o.ridge = r.getDouble("ridge", o.ridge);
    if (r.has("ridge") && o.ridge < 0) r.fail("ridge", "must be >= 0 (or \"auto\")");
  }
  const int64_t seed = r.getInt("seed", static_cast<int64_t>(o.seed));
  if (o.hiddenDim < 1 || o.hiddenDim > 65536) r.fail("hidden_dim", "must be in [1, 65536]");
  if (o.hiddenLayers < 0 || o.hiddenLayers > 64) r.fail("hidden_layers", "must be in [0, 64]");
  if (o.steps < 1) r.fail("steps", "must be >= 1");
  if (!(o.learningRate > 0)) r.fail("learning_rate", "must be > 0");
  if (o.weightDecay < 0) r.fail("weight_decay", "must be >= 0");
  if (!(o.holdout >= 0 && o.holdout < 1)) r.fail("holdout", "must be in [0, 1)");
  if (seed < 0) r.fail("seed", "must be >= 0");
  o.seed = static_cast<uint64_t>(seed);
  return o;
}

nlohmann::json LatencyPredictorOptions::toJson() const {
  return {{"hidden_dim", hiddenDim},       {"hidden_layers", hiddenLayers},
          {"steps", steps},                {"learning_rate", learningRate},
          {"weight_decay", weightDecay},   {"holdout", holdout},
          {"log_target", logTarget},       {"ridge", ridge < 0 ? nlohmann::json("auto") : nlohmann::json(ridge)},
          {"ensemble", ensemble},          {"seed", seed}};
}

}  // namespace automoe
