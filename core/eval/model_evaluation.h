#pragma once
// An exported model folder evaluated on the project's test or valid split (loss, BLEU), the record
// saved as <folder>/evaluation_<split>.json: what `automoe evaluate --model` and the GUI do.
// Torch-free header.
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "eval/evaluation_options.h"
#include "eval/inherited_evaluator.h"
#include "project/project.h"
#include "util/stop_token.h"

namespace automoe {

struct ModelEvaluation {
  EvaluationResult result;
  nlohmann::json record;   // what the file holds: options, seed, provenance, model, arch, result
  std::string recordPath;  // <folder>/evaluation_<split>.json
};

// The fields every evaluation record starts with: format, options, seed, provenance, project.
nlohmann::json evaluationRecord(const Project& project, const EvaluationOptions& options);

// Throws ConfigError for a folder that is not a model, a project without prepared data, or a
// model exported from another project's data (its tokenizer differs); std::nullopt when stopped.
std::optional<ModelEvaluation> evaluateModelFolder(const Project& project, const std::string& modelDir,
                                                   const EvaluationOptions& options, const StopToken& stop,
                                                   const std::function<void(const std::string&)>& log = {});

}  // namespace automoe
