#pragma once
// A project file: one versioned JSON document that the GUI and the headless CLI both run. Paths in
// it are relative to the file's directory.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "arch/search_space.h"
#include "data/data_options.h"
#include "eval/evaluation_options.h"
#include "latency/hardware_profile.h"
#include "latency/latency_options.h"
#include "project/model_options.h"
#include "train/retrain_options.h"
#include "search/search_options.h"
#include "train/training_options.h"

namespace automoe {

struct Project {
  static constexpr int kFormatVersion = 1;

  std::string path;         // the file it was loaded from (empty if built in memory)
  std::string name;
  std::string description;
  uint64_t seed = 1;
  SearchSpace space;
  ModelOptions model;
  DataOptions data;         // corpus, tokenizer and batching ("data" section)
  TrainingOptions training;
  RetrainOptions retrain;   // training a searched subnet from scratch ("retrain" section)
  std::vector<HardwareProfile> hardwareProfiles = defaultHardwareProfiles();
  LatencyOptions latency;
  EvaluationOptions evaluation;  // translation and BLEU settings ("evaluation" section)
  SearchOptions search;     // evolutionary search ("search" section)

  // Reads and validates the file (or a folder's project.json; `path` then names that file); every
  // problem is a ConfigError naming the file and field.
  static Project load(const std::string& path);
  // The project file `path` stands for: itself, or a folder's project.json (ConfigError for a
  // folder without one).
  static std::string fileAt(const std::string& path);
  static Project fromJson(const nlohmann::json& j, const std::string& source);
  nlohmann::json toJson() const;

  // Directory of the project file ("." when unknown); relative paths resolve against it.
  std::string directory() const;
  std::string resolvePath(const std::string& relative) const;
};

}  // namespace automoe
