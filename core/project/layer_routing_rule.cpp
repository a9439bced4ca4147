#include "project/layer_routing_rule.h"

#include <algorithm>

#include "util/json_reader.h"

namespace automoe {

bool LayerRoutingRule::covers(bool decoder, int layer) const {
  if ((stack == "decoder") != decoder) return false;
  return layers.empty() || std::find(layers.begin(), layers.end(), layer) != layers.end();
}

LayerRoutingRule LayerRoutingRule::fromJson(const JsonReader& r) {
  r.rejectUnknownKeys({"stack", "layers", "capacity_factor", "balance_loss_coef", "z_loss_coef",
                       "router_jitter", "routers", "expert_output_masking", "cmr"});
  LayerRoutingRule rule;
  rule.source = r.source();
  rule.path = r.fieldPath("");
  rule.stack = r.getString("stack");
  if (rule.stack != "encoder" && rule.stack != "decoder")
    r.fail("stack", "must be \"encoder\" or \"decoder\", got \"" + rule.stack + "\"");
  if (r.has("layers")) {
    rule.layers = r.getIntList("layers");
    if (rule.layers.empty()) r.fail("layers", "is empty; leave it out to cover every layer");
    for (int l : rule.layers)
      if (l < 0) r.fail("layers", "layer indices start at 0, got " + std::to_string(l));
  }
  if (r.has("routers")) {
    const JsonReader routers = r.child("routers");
    if (routers.has("competesmoe")) {
      const JsonReader c = routers.child("competesmoe");
      for (const char* key : {"rate_flip", "warm_up", "max_compete_in_iter", "schedule", "seed"})
        if (c.has(key))
          c.fail(key, "is part of CompeteSMoE's schedule, which all layers share; set it in "
                      "model.routers.competesmoe");
    }
  }
  rule.settings = r.value();
  rule.settings.erase("stack");
  rule.settings.erase("layers");
  if (rule.settings.empty()) r.failHere("sets nothing (give at least one MoE setting)");
  return rule;
}

nlohmann::json LayerRoutingRule::toJson() const {
  nlohmann::json j = settings;
  j["stack"] = stack;
  if (!layers.empty()) j["layers"] = layers;
  return j;
}

}  // namespace automoe
