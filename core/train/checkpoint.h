#pragma once
// Training checkpoints: supernet weights, optimizer moments, the generator state and a JSON header
// (step, data position, seed, project search space, model shape, training options, versions).
// Written atomically (temporary file + rename). Loading refuses, with a message saying why, a file
// that is missing, corrupt or truncated, or made for a different model shape.
#include <string>

#include <nlohmann/json.hpp>

#include "model/model_shape.h"

namespace automoe {

class SuperTransformerImpl;
class SliceAdam;

class Checkpoint {
 public:
  static constexpr int kFormatVersion = 1;

  static void save(const std::string& path, const SuperTransformerImpl& model, const SliceAdam* adam,
                   nlohmann::json meta);
  // Loads weights (and moments if `adam`); returns the header. Throws ConfigError.
  static nlohmann::json load(const std::string& path, SuperTransformerImpl& model, SliceAdam* adam);
  // The header alone (cheap): throws ConfigError like load().
  static nlohmann::json readMeta(const std::string& path);
  // Throws ConfigError if `meta` was not made for `shape` (names the first difference).
  static void checkShape(const std::string& path, const nlohmann::json& meta, const ModelShape& shape);
};

}  // namespace automoe
