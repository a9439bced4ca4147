#pragma once
// The stored ("super") shape of a SuperTransformer: how large every weight is. A supernet's shape
// holds the maximum of every search-space choice; a standalone subnet's shape equals its
// architecture exactly, so the same module code serves both and parameter names are identical.
// Torch-free, so it can be saved beside checkpoints and shown by the GUI.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace automoe {

struct ArchConfig;
struct SearchSpace;
struct ModelOptions;

struct LayerShape {
  std::vector<int> expertFfnDims;    // stored FFN width of each expert slot
  std::vector<std::string> routers;  // router types with weights here (empty when 1 expert)
  int numExperts() const { return static_cast<int>(expertFfnDims.size()); }
  bool operator==(const LayerShape& o) const {
    return expertFfnDims == o.expertFfnDims && routers == o.routers;
  }
};

struct StackShape {
  int embedDim = 0;       // stored width
  int superEmbedDim = 0;  // width of the supernet this came from: positions and dropout scaling
  std::vector<LayerShape> layers;
  int numLayers() const { return static_cast<int>(layers.size()); }
  bool operator==(const StackShape& o) const {
    return embedDim == o.embedDim && superEmbedDim == o.superEmbedDim && layers == o.layers;
  }
};

struct ModelShape {
  int64_t vocabSize = 0;
  int qkvDim = 0;
  int maxPositions = 0;
  StackShape encoder;
  StackShape decoder;

  int embeddingDim() const { return encoder.embedDim > decoder.embedDim ? encoder.embedDim : decoder.embedDim; }

  static ModelShape forSupernet(const SearchSpace& space, const ModelOptions& options);
  // Exact shape of `arch`, keeping the super widths of `super` for positions/dropout.
  static ModelShape forSubnet(const ArchConfig& arch, const ModelShape& super);

  // Every way in which `arch` does not fit into this shape (empty = it fits).
  std::vector<std::string> fitProblems(const ArchConfig& arch) const;

  bool operator==(const ModelShape& o) const {
    return vocabSize == o.vocabSize && qkvDim == o.qkvDim && maxPositions == o.maxPositions &&
           encoder == o.encoder && decoder == o.decoder;
  }
  nlohmann::json toJson() const;
  static ModelShape fromJson(const nlohmann::json& j, const std::string& source);
};

}  // namespace automoe
