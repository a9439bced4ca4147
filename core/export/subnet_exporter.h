#pragma once
// Exports one subnet of a trained supernet as a self-contained model folder:
//   OUT/arch.json           the subnet (ArchConfig::toJson)
//   OUT/model.safetensors   the standalone model's tensors (extractSubnet: parameters and buffers
//                           under the SuperTransformer's names, each the subnet-sized prefix slice
//                           of the supernet's), "__metadata__": format "automoe-subnet",
//                           format_version "1", model_shape / model_options / arch as JSON text
//   OUT/<tokenizer files>   the SentencePiece model (and .vocab when present) copied
//   OUT/model_card.json     ModelCard (model_card.h)
// Everything is written into a temporary sibling folder that is then renamed to OUT, so OUT is
// either complete or absent. An existing OUT is replaced only if it is an earlier export (holds
// model_card.json); anything else is refused.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "arch/arch_config.h"
#include "arch/search_space.h"
#include "export/model_card.h"
#include "export/safetensors_tensor.h"
#include "latency/hardware_profile.h"

namespace automoe {

class StopToken;
class SuperTransformerImpl;

struct ExportOptions {
  SearchSpace space;  // the supernet's space (latency profiling builds its reference subnet)
  std::vector<HardwareProfile> profiles;
  bool measureLatency = true;  // false: the card lists every profile as skipped
  uint64_t seed = 1;
  std::vector<std::string> tokenizerFiles;  // paths copied into the folder (must exist)
  std::string sourceCheckpoint;
  int64_t sourceStep = -1;
  std::optional<int64_t> candidateId;
  std::optional<double> validLoss;
  std::optional<double> bleu;
  std::string bleuSplit;
  int statsSrcLen = 30;  // sentence lengths of the FLOPs figure (AutoMoE: 30 x 30)
  int statsTgtLen = 30;
};

class SubnetExporter {
 public:
  static constexpr const char* kFormatVersion = "1";
  using Log = std::function<void(const std::string&)>;

  // Returns the card written, or std::nullopt when `stop` was set (nothing is left behind).
  // Throws std::invalid_argument when `arch` does not fit, ConfigError for a bad OUT or a missing
  // tokenizer file.
  static std::optional<ModelCard> exportSubnet(const SuperTransformerImpl& supernet,
                                               const ArchConfig& arch, const ExportOptions& options,
                                               const std::string& outDir, const StopToken& stop,
                                               const Log& log = {});

  // The safetensors content of a standalone model (any SuperTransformer: all parameters and
  // buffers) with the metadata ExportedModel::load() reads.
  static SafetensorsFile weightsFile(const SuperTransformerImpl& model, const ArchConfig& arch);
};

}  // namespace automoe
