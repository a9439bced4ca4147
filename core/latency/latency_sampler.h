#pragma once
// Which subnets a latency dataset measures, in order: the largest and the smallest subnet of the
// space, then stratified samples that cycle through every (decoder depth, expert count) pair so
// that even a short prefix spreads over the two strongest latency levers; the remaining
// dimensions are drawn uniformly. Each layer of a stratified sample takes the round's expert count
// with probability 1/2, otherwise a uniform one (mean expert counts spread from the smallest to
// the largest choice). Subnets are deduplicated by gene vector. The plan is a pure function of
// (space, seed, index): plan(n) is a prefix of plan(m) for n < m, which makes dataset runs
// resumable and extensible.
#include <cstdint>
#include <vector>

#include "arch/arch_config.h"
#include "arch/gene_codec.h"
#include "arch/search_space.h"

namespace automoe {

class LatencySampler {
 public:
  LatencySampler(SearchSpace space, uint64_t seed);

  // The first n distinct subnets of the plan (fewer if the space has fewer distinct subnets that
  // the sampler finds).
  std::vector<ArchConfig> plan(int n) const;

  const GeneCodec& codec() const { return m_codec; }

 private:
  ArchConfig stratified(int round, int attempt) const;

  SearchSpace m_space;
  GeneCodec m_codec;
  uint64_t m_seed;
};

}  // namespace automoe
