#pragma once
// Maps an ArchConfig to a flat, fixed-length gene vector and back. Each gene is an index into the
// choice list of one dimension of the search space. Per-layer genes exist for every possible layer
// (the space's maximum); genes of layers past the sampled depth, and per-expert genes past the
// layer's expert count, are inert: encode() writes 0 there and decode() ignores them. In a space
// with fractional experts there is one FFN gene per expert slot; otherwise one per layer.
#include <string>
#include <vector>

#include "arch/search_space.h"

namespace automoe {

struct ArchConfig;

struct GeneSpec {
  std::string name;  // e.g. "decoder.layers[2].experts[1].ffn_dim"
  int cardinality;   // number of choices
};

class GeneCodec {
 public:
  explicit GeneCodec(SearchSpace space);

  const std::vector<GeneSpec>& genes() const { return m_specs; }
  size_t size() const { return m_specs.size(); }

  // Throws ConfigError if the arch is not in the space.
  std::vector<int> encode(const ArchConfig& arch) const;
  // Throws ConfigError if the vector has the wrong length or an index out of range.
  ArchConfig decode(const std::vector<int>& genes) const;

 private:
  enum class Kind { EmbedDim, Layers, Ffn, Heads, EndeHeads, Arbitrary, Experts, TopK, Router, ExpertFfn };
  struct Slot {
    bool decoder;
    Kind kind;
    int layer;   // -1 for stack-level genes
    int expert;  // -1 unless ExpertFfn
  };
  const std::vector<int>& choices(const Slot& s) const;
  void addStack(bool decoder);

  SearchSpace m_space;
  std::vector<Slot> m_slots;
  std::vector<GeneSpec> m_specs;
};

}  // namespace automoe
