#include "train/training_options.h"

#include <nlohmann/json.hpp>

#include "util/json_reader.h"

namespace automoe {

TrainingOptions TrainingOptions::fromJson(const JsonReader& r) {
  r.rejectUnknownKeys({"max_updates", "sampling", "lr", "adam_betas", "adam_eps", "weight_decay", "optimizer_state", "cpu_gemm",
                       "label_smoothing", "clip_norm", "update_freq", "log_every",
                       "validate_every", "checkpoint_every", "keep_checkpoints", "reference_subnets", "valid_batches",
                       "max_bad_steps", "precision", "threads", "device", "blas", "run_dir"});
  TrainingOptions o;
  o.maxUpdates = r.getInt("max_updates", o.maxUpdates);
  if (o.maxUpdates < 1) r.fail("max_updates", "must be >= 1");
  o.sampling = r.getString("sampling", o.sampling);
  if (o.sampling != "uniform" && o.sampling != "sandwich")
    r.fail("sampling", "must be \"uniform\" or \"sandwich\", got \"" + o.sampling + "\"");
  if (r.has("lr")) {
    const JsonReader lr = r.child("lr");
    lr.rejectUnknownKeys({"schedule", "max", "min", "warmup_init", "warmup_updates"});
    o.lr.kind = lr.getString("schedule", o.lr.kind);
    if (o.lr.kind != "cosine" && o.lr.kind != "inverse_sqrt" && o.lr.kind != "constant")
      lr.fail("schedule", "must be cosine, inverse_sqrt or constant, got \"" + o.lr.kind + "\"");
    o.lr.maxLr = lr.getDouble("max", o.lr.maxLr);
    o.lr.minLr = lr.getDouble("min", o.lr.minLr);
    o.lr.warmupInitLr = lr.getDouble("warmup_init", o.lr.warmupInitLr);
    o.lr.warmupUpdates = lr.getInt("warmup_updates", o.lr.warmupUpdates);
    if (o.lr.maxLr <= 0) lr.fail("max", "must be > 0");
    for (const auto& [key, value] : {std::pair<const char*, double>{"min", o.lr.minLr}, {"warmup_init", o.lr.warmupInitLr}})
      if (value < 0 || value > o.lr.maxLr)
        lr.fail(key, "must be in [0, max = " + nlohmann::json(o.lr.maxLr).dump() + "], got " + nlohmann::json(value).dump());
    if (o.lr.warmupUpdates < 0) lr.fail("warmup_updates", "must be >= 0");
  } else {
    o.lr.warmupUpdates = o.maxUpdates / 10;
  }
  o.lr.totalUpdates = o.maxUpdates;
  if (r.has("adam_betas")) {
    const auto& b = r.raw("adam_betas");
    if (!b.is_array() || b.size() != 2 || !b[0].is_number() || !b[1].is_number())
      r.fail("adam_betas", "expected two numbers, e.g. [0.9, 0.98]");
    o.adamBeta1 = b[0].get<double>();
    o.adamBeta2 = b[1].get<double>();
    if (o.adamBeta1 < 0 || o.adamBeta1 >= 1 || o.adamBeta2 < 0 || o.adamBeta2 >= 1)
      r.fail("adam_betas", "each beta must be in [0, 1)");
  }
  o.adamEps = r.getDouble("adam_eps", o.adamEps);
  if (o.adamEps < 0) r.fail("adam_eps", "must be >= 0");
  o.weightDecay = r.getDouble("weight_decay", o.weightDecay);
  if (o.weightDecay < 0) r.fail("weight_decay", "must be >= 0");
  o.optimizerState = r.getString("optimizer_state", o.optimizerState);
  if (o.optimizerState != "eager" && o.optimizerState != "lazy")
    r.fail("optimizer_state", "must be \"eager\" or \"lazy\", got \"" + o.optimizerState + "\"");
  o.labelSmoothing = r.getDouble("label_smoothing", o.labelSmoothing);
  if (o.labelSmoothing < 0 || o.labelSmoothing >= 1) r.fail("label_smoothing", "must be in [0, 1)");
  o.clipNorm = r.getDouble("clip_norm", o.clipNorm);
  if (o.clipNorm < 0) r.fail("clip_norm", "must be >= 0 (0 = off)");
  o.updateFreq = static_cast<int>(r.getInt("update_freq", o.updateFreq));
  if (o.updateFreq < 1) r.fail("update_freq", "must be >= 1");
  o.logEvery = r.getInt("log_every", o.logEvery);
  o.validateEvery = r.getInt("validate_every", o.validateEvery);
  o.checkpointEvery = r.getInt("checkpoint_every", o.checkpointEvery);
  if (o.logEvery < 1 || o.validateEvery < 1 || o.checkpointEvery < 1)
    r.failHere("log_every, validate_every and checkpoint_every must be >= 1");
  o.keepCheckpoints = static_cast<int>(r.getInt("keep_checkpoints", o.keepCheckpoints));
  if (o.keepCheckpoints < 0) r.fail("keep_checkpoints", "must be >= 0 (0 = keep only the last)");
  o.referenceSubnets = static_cast<int>(r.getInt("reference_subnets", o.referenceSubnets));
  o.validBatches = static_cast<int>(r.getInt("valid_batches", o.validBatches));
  if (o.referenceSubnets < 0) r.fail("reference_subnets", "must be >= 0");
  if (o.validBatches < 1) r.fail("valid_batches", "must be >= 1");
  o.maxBadSteps = static_cast<int>(r.getInt("max_bad_steps", o.maxBadSteps));
  if (o.maxBadSteps < 1) r.fail("max_bad_steps", "must be >= 1");
  o.precision = r.getString("precision", o.precision);
  if (o.precision != "fp32" && o.precision != "bf16")
    r.fail("precision", "must be \"fp32\" or \"bf16\", got \"" + o.precision + "\"");
  o.threads = static_cast<int>(r.getInt("threads", o.threads));
  if (o.threads < 0) r.fail("threads", "must be >= 0 (0 = default)");
  o.device = r.getString("device", o.device);
  if (o.device != "auto" && o.device != "cpu" && o.device != "cuda")
    r.fail("device", "must be \"auto\", \"cpu\" or \"cuda\", got \"" + o.device + "\"");
  o.blas = r.getString("blas", o.blas);
  if (o.blas != "auto" && o.blas != "default")
    r.fail("blas", "must be \"auto\" or \"default\", got \"" + o.blas + "\"");
  o.cpuGemm = r.getString("cpu_gemm", o.cpuGemm);
  if (o.cpuGemm != "auto" && o.cpuGemm != "blas" && o.cpuGemm != "onednn")
    r.fail("cpu_gemm", "must be \"auto\", \"blas\" or \"onednn\", got \"" + o.cpuGemm + "\"");
  o.runDir = r.getString("run_dir", o.runDir);
  return o;
}

nlohmann::json TrainingOptions::toJson() const {
  return {{"max_updates", maxUpdates},
          {"sampling", sampling},
          {"lr",
           {{"schedule", lr.kind},
            {"max", lr.maxLr},
            {"min", lr.minLr},
            {"warmup_init", lr.warmupInitLr},
            {"warmup_updates", lr.warmupUpdates}}},
          {"adam_betas", {adamBeta1, adamBeta2}},
          {"adam_eps", adamEps},
          {"weight_decay", weightDecay},
          {"optimizer_state", optimizerState},
          {"cpu_gemm", cpuGemm},
          {"label_smoothing", labelSmoothing},
          {"clip_norm", clipNorm},
          {"update_freq", updateFreq},
          {"log_every", logEvery},
          {"validate_every", validateEvery},
          {"checkpoint_every", checkpointEvery},
          {"keep_checkpoints", keepCheckpoints},
          {"reference_subnets", referenceSubnets},
          {"valid_batches", validBatches},
          {"max_bad_steps", maxBadSteps},
          {"precision", precision},
          {"threads", threads},
          {"device", device},
          {"blas", blas},
          {"run_dir", runDir}};
}

}  // namespace automoe
