#include "project/model_options.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "arch/arch_config.h"
#include "util/json_reader.h"

namespace automoe {

namespace {

void requireProb(const JsonReader& r, const char* key, double v) {
  if (v < 0.0 || v >= 1.0) r.fail(key, "must be in [0, 1), got " + std::to_string(v));
}

// The MoE keys a model section and a layer_routing rule share, on top of m's current values.
void readMoeSettings(const JsonReader& r, ModelOptions& m) {
  m.capacityFactor = r.getDouble("capacity_factor", m.capacityFactor);
  m.balanceLossCoef = r.getDouble("balance_loss_coef", m.balanceLossCoef);
  m.zLossCoef = r.getDouble("z_loss_coef", m.zLossCoef);
  m.routerJitter = r.getDouble("router_jitter", m.routerJitter);
  m.routing = RouterOptions::fromJson(r, m.routing);
  requireProb(r, "router_jitter", m.routerJitter);
  if (m.capacityFactor < 0) r.fail("capacity_factor", "must be >= 0 (0 = unlimited)");
  if (m.balanceLossCoef < 0) r.fail("balance_loss_coef", "must be >= 0");
  if (m.zLossCoef < 0) r.fail("z_loss_coef", "must be >= 0");
}

void applyRule(const LayerRoutingRule& rule, ModelOptions& m) {
  readMoeSettings(JsonReader(rule.settings, rule.source, rule.path), m);
}

}  // namespace

ModelOptions ModelOptions::fromJson(const JsonReader& r) {
  r.rejectUnknownKeys({"vocab_size", "max_positions", "dropout", "attention_dropout",
                       "activation_dropout", "capacity_factor", "balance_loss_coef", "z_loss_coef",
                       "router_jitter", "routers", "expert_output_masking", "cmr", "layer_routing"});
  ModelOptions m;
  m.vocabSize = r.getInt("vocab_size", m.vocabSize);
  m.maxPositions = static_cast<int>(r.getInt("max_positions", m.maxPositions));
  m.dropout = r.getDouble("dropout", m.dropout);
  m.attentionDropout = r.getDouble("attention_dropout", m.attentionDropout);
  m.activationDropout = r.getDouble("activation_dropout", m.activationDropout);
  readMoeSettings(r, m);
  if (m.vocabSize < 5) r.fail("vocab_size", "must be at least 5 (4 special tokens + 1)");
  if (m.maxPositions < 2) r.fail("max_positions", "must be at least 2");
  requireProb(r, "dropout", m.dropout);
  requireProb(r, "attention_dropout", m.attentionDropout);
  requireProb(r, "activation_dropout", m.activationDropout);
  if (r.has("layer_routing")) {
    if (!r.raw("layer_routing").is_array()) r.fail("layer_routing", "expected a list of rules");
    const JsonReader rules(r.raw("layer_routing"), r.source(), r.fieldPath("layer_routing"));
    for (size_t i = 0; i < rules.arraySize(); ++i) {
      m.layerRouting.push_back(LayerRoutingRule::fromJson(rules.element(i)));
      ModelOptions check = m;  // each rule's own values, on the model-wide ones
      applyRule(m.layerRouting.back(), check);
    }
  }
  return m;
}

ModelOptions ModelOptions::forLayer(bool decoder, int layer) const {
  ModelOptions m = *this;
  for (const LayerRoutingRule& rule : layerRouting)
    if (rule.covers(decoder, layer)) applyRule(rule, m);
  return m;
}

void ModelOptions::checkLayerRouting(int encoderLayers, int decoderLayers) const {
  for (const LayerRoutingRule& rule : layerRouting) {
    const int depth = rule.stack == "decoder" ? decoderLayers : encoderLayers;
    for (int l : rule.layers)
      if (l >= depth)
        JsonReader(rule.settings, rule.source, rule.path)
            .fail("layers", "the " + rule.stack + " has at most " + std::to_string(depth) +
                                (depth == 1 ? " layer (0.." : " layers (0..") +
                                std::to_string(depth - 1) + "), got " + std::to_string(l));
  }
  for (int l = 0; l < encoderLayers; ++l) forLayer(false, l);
  for (int l = 0; l < decoderLayers; ++l) forLayer(true, l);
}

std::string ModelOptions::routingNote(bool decoder, int layer) const {
  const RouterOptions r = forLayer(decoder, layer).routing;
  std::string out;
  auto add = [&](const std::string& part) { out += (out.empty() ? "" : " \u00b7 ") + part; };
  auto number = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return std::string(buf);
  };
  if (r.cmr.enabled) add("CMR");
  if (r.masking.eom > 0) add("EoM " + number(r.masking.eom));
  if (r.masking.fom > 0) add("FoM " + number(r.masking.fom));
  return out;
}

CostOptions ModelOptions::costOptions(const ArchConfig& arch) const {
  auto layerCost = [](const ModelOptions& o) {
    LayerCostOptions c;
    c.routers.xmoeRoutingDim = o.routing.xmoe.routingDim;
    c.routers.strata = o.routing.stratified.strata;
    c.routers.strataLayerNorm = o.routing.stratified.layerNorm;
    c.cmr = o.routing.cmr.enabled;
    return c;
  };
  CostOptions c;
  static_cast<LayerCostOptions&>(c) = layerCost(*this);
  if (layerRouting.empty()) return c;
  for (int l = 0; l < arch.encoder.numLayers(); ++l) c.encoderLayers.push_back(layerCost(forLayer(false, l)));
  for (int l = 0; l < arch.decoder.numLayers(); ++l) c.decoderLayers.push_back(layerCost(forLayer(true, l)));
  return c;
}

nlohmann::json ModelOptions::toJson() const {
  nlohmann::json j = {{"vocab_size", vocabSize},           {"max_positions", maxPositions},
          {"dropout", dropout},                {"attention_dropout", attentionDropout},
          {"activation_dropout", activationDropout}, {"capacity_factor", capacityFactor},
          {"balance_loss_coef", balanceLossCoef},    {"z_loss_coef", zLossCoef},
          {"router_jitter", routerJitter}};
  routing.addToJson(j);
  if (!layerRouting.empty()) {
    nlohmann::json rules = nlohmann::json::array();
    for (const LayerRoutingRule& rule : layerRouting) rules.push_back(rule.toJson());
    j["layer_routing"] = rules;
  }
  return j;
}

}  // namespace automoe
