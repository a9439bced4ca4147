#include "train/subnet_sampler.h"

#include <stdexcept>

#include "util/rng.h"

namespace automoe {

SubnetSampler::SubnetSampler(SearchSpace space, std::string rule, uint64_t seed)
    : m_space(std::move(space)), m_rule(std::move(rule)), m_seed(seed) {
  if (m_rule != "uniform" && m_rule != "sandwich")
    throw std::invalid_argument("unknown sampling rule \"" + m_rule + "\" (uniform, sandwich)");
}

SubnetSampler SubnetSampler::fixed(ArchConfig arch) {
  SubnetSampler s(SearchSpace{}, "uniform", 0);
  s.m_rule = "fixed";
  s.m_fixed = std::move(arch);
  return s;
}

std::vector<ArchConfig> SubnetSampler::forStep(int64_t step) const {
  if (m_rule == "fixed") return {m_fixed};
  Rng rng(mixSeed(m_seed, static_cast<uint64_t>(step)));
  if (m_rule == "sandwich") return {m_space.largest(), m_space.smallest(), m_space.sample(rng)};
  return {m_space.sample(rng)};
}

}  // namespace automoe
