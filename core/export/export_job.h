#pragma once
// `automoe export PROJECT --arch|--candidate OUT` as a job the CLI and the GUI share: the trained
// supernet's weights for one subnet, written as a standalone model folder (weights, arch.json,
// tokenizer, model card with costs and the latency measured under every hardware profile).
// Torch-free header.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "arch/arch_config.h"
#include "export/model_card.h"
#include "project/project.h"
#include "util/stop_token.h"

namespace automoe {

struct ExportJob {
  std::string outDir;
  bool measureLatency = true;          // false: the card lists every profile as skipped
  std::optional<int64_t> candidateId;  // the search candidate it came from, for the card
  std::optional<double> validLoss;     // its validation loss in the search, for the card
};

// The card written, or std::nullopt when `stop` ended it (nothing is left behind). Throws
// ConfigError when the supernet has not been trained, or for a bad folder or tokenizer.
std::optional<ModelCard> runExportJob(const Project& project, const ArchConfig& arch, const ExportJob& job,
                                      const StopToken& stop, const std::function<void(const std::string&)>& log = {});

// Where the GUI and `automoe run` put the searched subnet's model folder: <search.run_dir>/model.
std::string searchModelDir(const Project& project);

}  // namespace automoe
