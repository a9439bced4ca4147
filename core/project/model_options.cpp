#include "project/model_options.h"

#include <nlohmann/json.hpp>

#include "util/json_reader.h"

namespace automoe {

ModelOptions ModelOptions::fromJson(const JsonReader& r) {
  r.rejectUnknownKeys({"vocab_size", "max_positions", "dropout", "attention_dropout",
                       "activation_dropout", "capacity_factor", "balance_loss_coef", "z_loss_coef",
                       "router_jitter", "routers", "expert_output_masking", "cmr"});
  ModelOptions m;
  m.vocabSize = r.getInt("vocab_size", m.vocabSize);
  m.maxPositions = static_cast<int>(r.getInt("max_positions", m.maxPositions));
  m.dropout = r.getDouble("dropout", m.dropout);
  m.attentionDropout = r.getDouble("attention_dropout", m.attentionDropout);
  m.activationDropout = r.getDouble("activation_dropout", m.activationDropout);
  m.capacityFactor = r.getDouble("capacity_factor", m.capacityFactor);
  m.balanceLossCoef = r.getDouble("balance_loss_coef", m.balanceLossCoef);
  m.zLossCoef = r.getDouble("z_loss_coef", m.zLossCoef);
  m.routerJitter = r.getDouble("router_jitter", m.routerJitter);
  m.routing = RouterOptions::fromJson(r);
  if (m.vocabSize < 5) r.fail("vocab_size", "must be at least 5 (4 special tokens + 1)");
  if (m.maxPositions < 2) r.fail("max_positions", "must be at least 2");
  auto prob = [&](const char* key, double v) {
    if (v < 0.0 || v >= 1.0) r.fail(key, "must be in [0, 1), got " + std::to_string(v));
  };
  prob("dropout", m.dropout);
  prob("attention_dropout", m.attentionDropout);
  prob("activation_dropout", m.activationDropout);
  prob("router_jitter", m.routerJitter);
  if (m.capacityFactor < 0) r.fail("capacity_factor", "must be >= 0 (0 = unlimited)");
  if (m.balanceLossCoef < 0) r.fail("balance_loss_coef", "must be >= 0");
  if (m.zLossCoef < 0) r.fail("z_loss_coef", "must be >= 0");
  return m;
}

CostOptions ModelOptions::costOptions() const {
  CostOptions c;
  c.routers.xmoeRoutingDim = routing.xmoe.routingDim;
  c.routers.strata = routing.stratified.strata;
  c.routers.strataLayerNorm = routing.stratified.layerNorm;
  c.cmr = routing.cmr.enabled;
  return c;
}

nlohmann::json ModelOptions::toJson() const {
  nlohmann::json j = {{"vocab_size", vocabSize},           {"max_positions", maxPositions},
          {"dropout", dropout},                {"attention_dropout", attentionDropout},
          {"activation_dropout", activationDropout}, {"capacity_factor", capacityFactor},
          {"balance_loss_coef", balanceLossCoef},    {"z_loss_coef", zLossCoef},
          {"router_jitter", routerJitter}};
  routing.addToJson(j);
  return j;
}

}  // namespace automoe
