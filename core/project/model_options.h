#pragma once
// Fixed (non-searched) settings of the SuperTransformer, from the project's "model" section.
#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "arch/arch_stats.h"
#include "project/router_options.h"

namespace automoe {

class JsonReader;

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

  static ModelOptions fromJson(const JsonReader& r);
  // What of these options changes parameter counts and FLOPs (for computeArchStats).
  CostOptions costOptions() const;
  nlohmann::json toJson() const;
};

}  // namespace automoe
