#include "project/router_options.h"

#include <initializer_list>

#include <nlohmann/json.hpp>

#include "util/json_reader.h"

namespace automoe {

namespace {

void requireProb(const JsonReader& r, const char* key, double v) {
  if (v < 0.0 || v >= 1.0) r.fail(key, "must be in [0, 1), got " + std::to_string(v));
}

void requireNonNegative(const JsonReader& r, const char* key, double v) {
  if (v < 0.0) r.fail(key, "must be >= 0, got " + std::to_string(v));
}

std::string oneOf(const JsonReader& r, const char* key, const std::string& fallback,
                  std::initializer_list<const char*> allowed) {
  const std::string v = r.getString(key, fallback);
  std::string list;
  for (const char* a : allowed) {
    if (v == a) return v;
    list += std::string(list.empty() ? "" : ", ") + a;
  }
  r.fail(key, "must be one of " + list + ", got \"" + v + "\"");
}

SwitchRouterOptions readSwitch(const JsonReader& r, SwitchRouterOptions o) {
  r.rejectUnknownKeys({"capacity_factor", "eval_capacity_factor"});
  o.capacityFactor = r.getDouble("capacity_factor", o.capacityFactor);
  o.evalCapacityFactor = r.getDouble("eval_capacity_factor", o.evalCapacityFactor);
  requireNonNegative(r, "capacity_factor", o.capacityFactor);
  requireNonNegative(r, "eval_capacity_factor", o.evalCapacityFactor);
  return o;
}

GShardRouterOptions readGShard(const JsonReader& r, GShardRouterOptions o) {
  r.rejectUnknownKeys({"second_policy", "capacity_factor", "eval_capacity_fraction"});
  o.secondPolicy = oneOf(r, "second_policy", o.secondPolicy, {"sampling", "all", "random"});
  o.capacityFactor = r.getDouble("capacity_factor", o.capacityFactor);
  o.evalCapacityFraction = r.getDouble("eval_capacity_fraction", o.evalCapacityFraction);
  requireNonNegative(r, "capacity_factor", o.capacityFactor);
  requireNonNegative(r, "eval_capacity_fraction", o.evalCapacityFraction);
  return o;
}

SmoeDropoutOptions readSmoeDropout(const JsonReader& r, SmoeDropoutOptions o) {
  r.rejectUnknownKeys({"k_min", "k_max", "schedule", "eval_top_k"});
  o.kMin = static_cast<int>(r.getInt("k_min", o.kMin));
  o.kMax = static_cast<int>(r.getInt("k_max", o.kMax));
  o.schedule = oneOf(r, "schedule", o.schedule, {"linear_increase", "constant"});
  o.evalTopK = static_cast<int>(r.getInt("eval_top_k", o.evalTopK));
  if (o.kMin < 0 || o.kMax < 0 || o.evalTopK < 0)
    r.failHere("k_min, k_max, eval_top_k must be >= 0");
  if (o.kMin > 0 && o.kMax > 0 && o.kMin > o.kMax) r.fail("k_min", "must be <= k_max");
  return o;
}

XmoeOptions readXmoe(const JsonReader& r, XmoeOptions o) {
  r.rejectUnknownKeys({"routing_dim", "temperature"});
  o.routingDim = static_cast<int>(r.getInt("routing_dim", o.routingDim));
  o.temperature = r.getDouble("temperature", o.temperature);
  if (o.routingDim < 1) r.fail("routing_dim", "must be >= 1");
  if (o.temperature <= 0) r.fail("temperature", "must be > 0");
  return o;
}

StableMoeOptions readStableMoe(const JsonReader& r, StableMoeOptions o) {
  r.rejectUnknownKeys({"temperature", "freeze_fraction"});
  o.temperature = r.getDouble("temperature", o.temperature);
  o.freezeFraction = r.getDouble("freeze_fraction", o.freezeFraction);
  if (o.temperature <= 0) r.fail("temperature", "must be > 0");
  requireProb(r, "freeze_fraction", o.freezeFraction);
  return o;
}

CompeteSmoeOptions readCompeteSmoe(const JsonReader& r, CompeteSmoeOptions o) {
  r.rejectUnknownKeys({"rate_flip", "warm_up", "max_compete_in_iter", "schedule", "affinity",
                       "weight_norm", "router_loss", "hybrid", "router_theta", "router_loss_coef",
                       "diversity_loss_coef", "bal_comp_loss_coef", "seed"});
  o.rateFlip = r.getDouble("rate_flip", o.rateFlip);
  o.warmUp = r.getDouble("warm_up", o.warmUp);
  o.maxCompeteInIter = static_cast<int>(r.getInt("max_compete_in_iter", o.maxCompeteInIter));
  o.schedule = oneOf(r, "schedule", o.schedule, {"precomputed_capped", "bernoulli"});
  o.affinity = oneOf(r, "affinity", o.affinity, {"softplus_mean", "l2_norm"});
  o.weightNorm = oneOf(r, "weight_norm", o.weightNorm, {"sum", "softmax"});
  o.routerLoss = oneOf(r, "router_loss", o.routerLoss, {"mse", "kl"});
  o.hybrid = r.getBool("hybrid", o.hybrid);
  o.routerTheta = r.getDouble("router_theta", o.routerTheta);
  o.routerLossCoef = r.getDouble("router_loss_coef", o.routerLossCoef);
  o.diversityLossCoef = r.getDouble("diversity_loss_coef", o.diversityLossCoef);
  o.balCompLossCoef = r.getDouble("bal_comp_loss_coef", o.balCompLossCoef);
  const int64_t seed = r.getInt("seed", static_cast<int64_t>(o.seed));
  if (seed < 0) r.fail("seed", "must be >= 0");
  o.seed = static_cast<uint64_t>(seed);
  if (o.rateFlip < 0 || o.rateFlip > 1) r.fail("rate_flip", "must be in [0, 1]");
  requireProb(r, "warm_up", o.warmUp);
  if (o.maxCompeteInIter < 1) r.fail("max_compete_in_iter", "must be >= 1");
  requireNonNegative(r, "router_theta", o.routerTheta);
  requireNonNegative(r, "router_loss_coef", o.routerLossCoef);
  requireNonNegative(r, "diversity_loss_coef", o.diversityLossCoef);
  requireNonNegative(r, "bal_comp_loss_coef", o.balCompLossCoef);
  return o;
}

StratifiedOptions readStratified(const JsonReader& r, StratifiedOptions o) {
  r.rejectUnknownKeys(
      {"strata", "layer_norm", "second_policy", "capacity_factor", "eval_capacity_fraction"});
  o.strata = static_cast<int>(r.getInt("strata", o.strata));
  o.layerNorm = r.getBool("layer_norm", o.layerNorm);
  o.secondPolicy = oneOf(r, "second_policy", o.secondPolicy, {"sampling", "all", "random"});
  o.capacityFactor = r.getDouble("capacity_factor", o.capacityFactor);
  o.evalCapacityFraction = r.getDouble("eval_capacity_fraction", o.evalCapacityFraction);
  if (o.strata < 1) r.fail("strata", "must be >= 1");
  requireNonNegative(r, "capacity_factor", o.capacityFactor);
  requireNonNegative(r, "eval_capacity_fraction", o.evalCapacityFraction);
  return o;
}

}  // namespace

RouterOptions RouterOptions::fromJson(const JsonReader& model, const RouterOptions& base) {
  RouterOptions o = base;
  if (model.has("routers")) {
    const JsonReader r = model.child("routers");
    r.rejectUnknownKeys({"switch_top1", "gshard_top2", "smoe_dropout", "xmoe", "stablemoe",
                         "competesmoe", "stratified"});
    if (r.has("switch_top1")) o.switchTop1 = readSwitch(r.child("switch_top1"), o.switchTop1);
    if (r.has("gshard_top2")) o.gshardTop2 = readGShard(r.child("gshard_top2"), o.gshardTop2);
    if (r.has("smoe_dropout")) o.smoeDropout = readSmoeDropout(r.child("smoe_dropout"), o.smoeDropout);
    if (r.has("xmoe")) o.xmoe = readXmoe(r.child("xmoe"), o.xmoe);
    if (r.has("stablemoe")) o.stableMoe = readStableMoe(r.child("stablemoe"), o.stableMoe);
    if (r.has("competesmoe")) o.competeSmoe = readCompeteSmoe(r.child("competesmoe"), o.competeSmoe);
    if (r.has("stratified")) o.stratified = readStratified(r.child("stratified"), o.stratified);
  }
  if (model.has("expert_output_masking")) {
    const JsonReader r = model.child("expert_output_masking");
    r.rejectUnknownKeys({"eom", "fom"});
    o.masking.eom = r.getDouble("eom", o.masking.eom);
    o.masking.fom = r.getDouble("fom", o.masking.fom);
    requireProb(r, "eom", o.masking.eom);
    requireProb(r, "fom", o.masking.fom);
  }
  if (model.has("cmr")) {
    const JsonReader r = model.child("cmr");
    r.rejectUnknownKeys({"enabled", "gate_dropout", "loss_coef", "target"});
    o.cmr.enabled = r.getBool("enabled", o.cmr.enabled);
    o.cmr.gateDropout = r.getDouble("gate_dropout", o.cmr.gateDropout);
    o.cmr.lossCoef = r.getDouble("loss_coef", o.cmr.lossCoef);
    o.cmr.target = r.getDouble("target", o.cmr.target);
    requireProb(r, "gate_dropout", o.cmr.gateDropout);
    requireNonNegative(r, "loss_coef", o.cmr.lossCoef);
    if (o.cmr.target < 0 || o.cmr.target > 1) r.fail("target", "must be in [0, 1]");
  }
  return o;
}

void RouterOptions::addToJson(nlohmann::json& model) const {
  const auto& c = competeSmoe;
  model["routers"] = {
      {"switch_top1",
       {{"capacity_factor", switchTop1.capacityFactor},
        {"eval_capacity_factor", switchTop1.evalCapacityFactor}}},
      {"gshard_top2",
       {{"second_policy", gshardTop2.secondPolicy},
        {"capacity_factor", gshardTop2.capacityFactor},
        {"eval_capacity_fraction", gshardTop2.evalCapacityFraction}}},
      {"smoe_dropout",
       {{"k_min", smoeDropout.kMin},
        {"k_max", smoeDropout.kMax},
        {"schedule", smoeDropout.schedule},
        {"eval_top_k", smoeDropout.evalTopK}}},
      {"xmoe", {{"routing_dim", xmoe.routingDim}, {"temperature", xmoe.temperature}}},
      {"stablemoe",
       {{"temperature", stableMoe.temperature}, {"freeze_fraction", stableMoe.freezeFraction}}},
      {"competesmoe",
       {{"rate_flip", c.rateFlip},
        {"warm_up", c.warmUp},
        {"max_compete_in_iter", c.maxCompeteInIter},
        {"schedule", c.schedule},
        {"affinity", c.affinity},
        {"weight_norm", c.weightNorm},
        {"router_loss", c.routerLoss},
        {"hybrid", c.hybrid},
        {"router_theta", c.routerTheta},
        {"router_loss_coef", c.routerLossCoef},
        {"diversity_loss_coef", c.diversityLossCoef},
        {"bal_comp_loss_coef", c.balCompLossCoef},
        {"seed", c.seed}}},
      {"stratified",
       {{"strata", stratified.strata},
        {"layer_norm", stratified.layerNorm},
        {"second_policy", stratified.secondPolicy},
        {"capacity_factor", stratified.capacityFactor},
        {"eval_capacity_fraction", stratified.evalCapacityFraction}}}};
  model["expert_output_masking"] = {{"eom", masking.eom}, {"fom", masking.fom}};
  model["cmr"] = {{"enabled", cmr.enabled},
                  {"gate_dropout", cmr.gateDropout},
                  {"loss_coef", cmr.lossCoef},
                  {"target", cmr.target}};
}

}  // namespace automoe
