#pragma once
// One entry of the model section's "layer_routing" list: MoE settings for some layers only.
//
//   "layer_routing": [
//     {"stack": "decoder", "layers": [4, 5], "cmr": {"enabled": true}},
//     {"stack": "encoder", "expert_output_masking": {"eom": 0.2}, "capacity_factor": 2.0}
//   ]
//
// The layers a rule covers (0-based supernet slots of its stack; no "layers" = every layer) take
// the keys it sets - capacity_factor, balance_loss_coef, z_loss_coef, router_jitter, "routers",
// "expert_output_masking", "cmr" - on top of the model-wide values; keys it leaves out keep them.
// Rules apply in list order, so a later rule wins. CompeteSMoE's schedule keys (rate_flip,
// warm_up, max_compete_in_iter, schedule, seed) stay model-wide: one schedule decides which layers
// compete at a step. ModelOptions applies the rules (forLayer); this is the parsed entry.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace automoe {

class JsonReader;

struct LayerRoutingRule {
  std::string stack;        // "encoder" | "decoder"
  std::vector<int> layers;  // covered layer slots; empty = every layer of the stack
  nlohmann::json settings;  // the MoE keys as written (an object without "stack" and "layers")
  std::string source;       // the file, and the rule's field path, for error messages
  std::string path;

  bool covers(bool decoder, int layer) const;
  // Checks the rule's structure and key names; the values are checked when applied.
  static LayerRoutingRule fromJson(const JsonReader& r);
  nlohmann::json toJson() const;
};

}  // namespace automoe
