#pragma once
// One row of a latency dataset: which subnet (plan index, gene vector, architecture), its named
// features as computed when measured, and the measurement.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "arch/arch_config.h"
#include "latency/latency_features.h"
#include "latency/latency_measurement.h"

namespace automoe {

struct LatencySample {
  int index = 0;             // position in the sampling plan
  std::vector<int> genes;    // GeneCodec encoding: the identity of the subnet
  ArchConfig arch;
  std::vector<NamedValue> features;
  LatencyMeasurement measurement;

  nlohmann::json toJson() const;  // {"kind": "sample", ...}: one JSONL line
  // `featureNames` gives the order (the dataset header's list); a missing name is a ConfigError.
  static LatencySample fromJson(const nlohmann::json& j, const std::vector<std::string>& featureNames,
                                const std::string& source);
};

}  // namespace automoe
