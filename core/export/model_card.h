#pragma once
// model_card.json of an exported model: what it is (architecture, stored shape, model options,
// FLOPs and parameters), how good and fast it is (validation loss/BLEU when known, latency per
// hardware profile), where it came from (supernet checkpoint and update, search candidate, seed,
// program versions) and what the folder holds (file names, tensor names). Torch-free.
//
// Tensor names are the SuperTransformer's parameter and buffer names (e.g.
// "encoder.layers.0.self_attn.q_proj.weight", "decoder.layers.1.moe.experts.2.fc1.weight",
// "embed_tokens.weight", "encoder.positions"): a standalone model of exactly the subnet's shape
// (ModelShape::forSubnet) has each tensor at the subnet's size, a prefix slice of the supernet's.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "arch/arch_config.h"
#include "model/model_shape.h"
#include "project/model_options.h"

namespace automoe {

struct ModelCard {
  static constexpr int kFormatVersion = 1;
  static constexpr const char* kFormat = "automoe-subnet";

  ArchConfig arch;
  ModelShape shape;      // stored shape of the standalone model (= the subnet)
  ModelOptions model;    // dropout, routing options... of the supernet's project
  nlohmann::json stats;  // ArchStats::toJson(): FLOPs, total/active parameters
  std::optional<int64_t> candidateId;
  std::optional<double> validLoss;  // nats per target token
  std::optional<double> bleu;
  std::string bleuSplit;            // split the BLEU was measured on
  nlohmann::json latency = nlohmann::json::object();  // profile name -> measurement / skip reason
  uint64_t seed = 0;
  nlohmann::json provenance = nlohmann::json::object();
  std::string sourceCheckpoint;  // the supernet checkpoint the weights were sliced from
  int64_t sourceStep = -1;
  std::vector<std::string> tokenizerFiles;  // file names inside the folder
  std::vector<std::string> tensorNames;

  nlohmann::json toJson() const;
  // Throws ConfigError naming `source` and the field.
  static ModelCard fromJson(const nlohmann::json& j, const std::string& source);
};

}  // namespace automoe
