#pragma once
// The evolutionary operators on GeneCodec vectors (AutoMoE's fairseq/evolution.py, spec §7.2):
// random sampling, mutation (every gene resampled uniformly with probability p) and uniform
// crossover (every gene from either parent with probability 1/2).
//
// Inert genes (layers past the depth, expert slots past the expert count) carry no meaning in a
// parent, so before an operator runs they are redrawn uniformly: a layer or expert slot that the
// child switches on gets random choices, as AutoMoE extends its lists with uniform random widths.
// Every result is canonical (encode(decode(g)): inert genes 0), which makes it a cache key: two
// vectors describe the same subnet exactly when they are equal.
#include <vector>

#include "arch/gene_codec.h"

namespace automoe {

class Rng;

class GeneOperators {
 public:
  explicit GeneOperators(const SearchSpace& space);

  const GeneCodec& codec() const { return m_codec; }

  std::vector<int> sample(Rng& rng) const;
  std::vector<int> mutate(const std::vector<int>& parent, double prob, Rng& rng) const;
  std::vector<int> crossover(const std::vector<int>& a, const std::vector<int>& b, Rng& rng) const;

  std::vector<int> canonical(const std::vector<int>& genes) const;
  // true for the genes that the subnet `genes` decodes to actually reads.
  std::vector<bool> activeMask(const std::vector<int>& genes) const;

 private:
  // `genes` with every inert gene redrawn uniformly.
  std::vector<int> withRandomInert(const std::vector<int>& genes, Rng& rng) const;

  struct Place {
    bool decoder = false;
    int layer = -1;   // -1: stack-level gene
    int expert = -1;  // -1: not a per-expert gene
  };
  SearchSpace m_space;
  GeneCodec m_codec;
  std::vector<Place> m_places;  // parsed from the gene names, one per gene
};

}  // namespace automoe
