#pragma once
// Checkpoint averaging (fairseq's scripts/average_checkpoints.py): the element-wise mean of every
// parameter over the given checkpoints, used after retraining a searched subnet from scratch.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace automoe {

class SuperTransformerImpl;

// Loads each checkpoint into `model` (all must fit its shape; ConfigError names the one that does
// not) and leaves the parameter means in it, accumulated in fp64. Returns the header of the last
// checkpoint with "averaged_from" (the paths) and "averaged_steps" added. Throws
// std::invalid_argument for an empty list.
nlohmann::json averageCheckpoints(const std::vector<std::string>& paths, SuperTransformerImpl& model);

}  // namespace automoe
