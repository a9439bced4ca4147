#pragma once
// The stages of `automoe run` in order, each with the fingerprint of what it depends on: the
// project sections it reads and the fingerprint of the stage before it (so a change upstream
// invalidates everything after it).
//   corpus -> tokenizer -> supernet -> latency -> predictor -> search -> export -> retrain -> evaluate
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace automoe {

struct PipelineStagePlan {
  std::string name;         // "corpus", "tokenizer", ...
  std::string title;        // one line for progress output
  std::string fingerprint;  // 16 hex digits
  std::vector<std::string> deps;  // the stages whose outputs it reads directly
};

// `projectJson` is Project::toJson(); `profile` the hardware profile the search uses.
std::vector<PipelineStagePlan> planPipeline(const nlohmann::json& projectJson, const std::string& profile);

}  // namespace automoe
