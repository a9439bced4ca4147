#pragma once
// Chooses the subnet(s) trained at each update. Every choice is a pure function of (seed, step), so
// a resumed run and every data-parallel rank train exactly the same sequence.
//   uniform:  one subnet drawn uniformly from the space per update (AutoMoE/HAT).
//   sandwich: largest, smallest and one random subnet per update, gradients summed.
//   fixed:    always the same subnet (retraining a searched architecture from scratch).
#include <cstdint>
#include <string>
#include <vector>

#include "arch/arch_config.h"
#include "arch/search_space.h"

namespace automoe {

class SubnetSampler {
 public:
  SubnetSampler(SearchSpace space, std::string rule, uint64_t seed);
  static SubnetSampler fixed(ArchConfig arch);
  std::vector<ArchConfig> forStep(int64_t step) const;
  const std::string& rule() const { return m_rule; }

 private:
  SearchSpace m_space;
  std::string m_rule;
  uint64_t m_seed;
  ArchConfig m_fixed;
};

}  // namespace automoe
