#pragma once
// Fixed (non-searched) settings of the SuperTransformer, from the project's "model" section.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "arch/arch_stats.h"
#include "project/layer_routing_rule.h"
#include "project/router_options.h"

namespace automoe {

class JsonReader;
struct ArchConfig;

struct ModelOptions {
  int64_t vocabSize = 8000;        // joint source/target vocabulary (shared embeddings)
  int maxPositions = 1024;         // longest sequence the sinusoidal table covers
  double dropout = 0.3;            // at the super width; scaled by sampled/super width
  double attentionDropout = 0.1;
  double activationDropout = 0.0;
  double capacityFactor = 0.0;     // MoE expert capacity = ceil(cf * tokens * k / n); 0 = unlimited
  double balanceLossCoef = 0.01;   // Switch load-balancing loss weight
  double zLossCoef = 0.001;        // ST-MoE router z-loss weight
  double routerJitter = 0.01;      // switch_top1: multiplicative input noise in training
  RouterOptions routing;           // "routers", "expert_output_masking", "cmr"
  // "layer_routing": the MoE settings above (capacity_factor to cmr) for some layers only.
  std::vector<LayerRoutingRule> layerRouting;

  static ModelOptions fromJson(const JsonReader& r);
  // These options as layer `layer` (0-based slot) of the encoder or decoder sees them: the
  // layer_routing rules covering it applied in order. ConfigError names the rule's field when the
  // merged values are invalid (e.g. one rule's k_min above another's k_max).
  ModelOptions forLayer(bool decoder, int layer) const;
  // Checks the rules against a search space's deepest stacks: every named layer exists and every
  // layer's merged settings are valid (ConfigError naming the field otherwise).
  void checkLayerRouting(int encoderLayers, int decoderLayers) const;
  // What a routed layer adds to its router after the layer_routing rules: "CMR · EoM 0.1 · FoM
  // 0.2" (UTF-8 middle dots); "" when none of these is on.
  std::string routingNote(bool decoder, int layer) const;
  // What of these options changes parameter counts and FLOPs of `arch` (for computeArchStats).
  CostOptions costOptions(const ArchConfig& arch) const;
  nlohmann::json toJson() const;
};

}  // namespace automoe
