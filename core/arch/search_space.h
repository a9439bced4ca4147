#pragma once
// The search space as data: the choices of every architecture dimension, per stack (encoder and
// decoder), as in AutoMoE/HAT plus a per-layer router type. Loaded from and saved to JSON with a
// format version; sampled with an explicit seeded RNG.
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace automoe {

class Rng;
struct ArchConfig;

// Choices for one stack. Per-layer dimensions (ffn, heads, experts, ...) are drawn independently
// for every layer from the same list.
struct StackSpace {
  std::vector<int> embedDim;           // model width of the stack
  std::vector<int> layers;             // number of layers
  std::vector<int> ffnDim;             // FFN hidden width (per layer, or per expert if fractional)
  std::vector<int> heads;              // self-attention heads
  std::vector<int> endeHeads;          // decoder only: encoder-decoder attention heads
  std::vector<int> arbitraryEndeAttn;  // decoder only: -1 last encoder layer, 1 last two, 2 last three
  std::vector<int> experts;            // experts per layer (1 = dense FFN)
  std::vector<int> topK;               // experts each token is routed to (clamped to #experts)
  std::vector<std::string> routers;    // router type per layer

  int maxEmbedDim() const;
  int maxLayers() const;
  int maxFfnDim() const;
  int maxExperts() const;
};

struct SearchSpace {
  static constexpr int kFormatVersion = 1;

  int qkvDim = 512;                // Q/K/V projection width, fixed (HAT): heads only change head_dim
  bool fractionalExperts = true;   // each expert draws its own FFN width ("fractional experts")
  StackSpace encoder;
  StackSpace decoder;

  // Parses and validates; `source` names the file for error messages (ConfigError).
  static SearchSpace fromJson(const nlohmann::json& j, const std::string& source,
                              const std::string& path = "search_space");
  nlohmann::json toJson() const;

  // Every problem of the space itself (empty list, non-positive width, heads not dividing qkvDim,
  // unknown router...), each naming the field. Empty when valid.
  std::vector<std::string> problems() const;

  ArchConfig sample(Rng& rng) const;
  ArchConfig sample(uint64_t seed) const;
  ArchConfig largest() const;   // max of every choice, every expert at the largest FFN width
  ArchConfig smallest() const;  // min of every choice

  // log10 of the number of distinct architectures (inert genes not counted).
  double log10Size() const;
};

}  // namespace automoe
