#pragma once
// One row of a latency dataset: which subnet (plan index, gene vector, architecture), its named
// features as computed when measured (for reading the file; training recomputes them from the
// architecture), and the measurement.
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
  // Features come back in the order they were written.
  static LatencySample fromJson(const nlohmann::json& j, const std::string& source);
};

}  // namespace automoe
