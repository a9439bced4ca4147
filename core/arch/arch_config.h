#pragma once
// One subnet of the search space as a plain value. The supernet's forward takes it as an argument;
// nothing about the sampled subnet is stored inside the model.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace automoe {

struct SearchSpace;

struct LayerArch {
  int heads = 8;                   // self-attention heads
  int endeHeads = 8;               // decoder only: encoder-decoder attention heads
  int arbitraryEndeAttn = -1;      // decoder only: attend to the last (value+1 or 1) encoder layers
  std::vector<int> expertFfnDims;  // FFN width of each expert; size = number of experts (1 = dense)
  int topK = 1;                    // experts per token; the model uses min(topK, #experts)
  std::string router = "softmax_topk";

  int numExperts() const { return static_cast<int>(expertFfnDims.size()); }
  // Experts each token really goes to: min(topK, #experts, the router type's own limit).
  int effectiveTopK() const;
  // Number of encoder layers whose outputs the enc-dec attention reads (1, 2 or 3); the decoder
  // clamps it to the encoder depth.
  int endeSourceLayers() const { return arbitraryEndeAttn < 0 ? 1 : arbitraryEndeAttn + 1; }
  bool operator==(const LayerArch& o) const;
  bool operator!=(const LayerArch& o) const { return !(*this == o); }
};

struct StackArch {
  int embedDim = 512;
  std::vector<LayerArch> layers;  // one entry per active layer
  int numLayers() const { return static_cast<int>(layers.size()); }
  bool operator==(const StackArch& o) const { return embedDim == o.embedDim && layers == o.layers; }
};

struct ArchConfig {
  StackArch encoder;
  StackArch decoder;

  bool operator==(const ArchConfig& o) const {
    return encoder == o.encoder && decoder == o.decoder;
  }
  bool operator!=(const ArchConfig& o) const { return !(*this == o); }

  nlohmann::json toJson() const;
  // Structural parsing only (types, required fields); use validate() against a space afterwards.
  static ArchConfig fromJson(const nlohmann::json& j, const std::string& source);
  static ArchConfig loadFile(const std::string& path);
  // loadFile, then validate: ConfigError naming the file and listing every problem if `arch` is
  // not in `space`.
  static ArchConfig loadValidated(const std::string& path, const SearchSpace& space);
  // Throws ConfigError listing every reason (validate()) when this subnet is not in `space`;
  // `source` (a file, a candidate) starts the message.
  void requireIn(const SearchSpace& space, const std::string& source) const;

  // Every way in which this subnet lies outside `space`, each naming the field and the value.
  std::vector<std::string> validate(const SearchSpace& space) const;

  // Compact one-line description, e.g. "enc 640x6 [e:6,4,...] | dec 512x3 [...]".
  std::string summary() const;
};

}  // namespace automoe
