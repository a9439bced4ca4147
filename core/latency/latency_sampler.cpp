#include "latency/latency_sampler.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <stdexcept>

#include "util/rng.h"

namespace automoe {

namespace {

constexpr int kMaxAttempts = 64;  // re-draws per round before the round is skipped as exhausted

std::vector<int> sortedChoices(std::vector<int> v) {
  std::sort(v.begin(), v.end());
  return v;
}

void setExperts(LayerArch& l, int n, const StackSpace& s, bool fractional, Rng& rng) {
  const int fill = l.expertFfnDims.empty() ? s.ffnDim.front() : l.expertFfnDims.front();
  const size_t old = l.expertFfnDims.size();
  l.expertFfnDims.resize(n, fill);
  if (fractional)
    for (size_t e = old; e < l.expertFfnDims.size(); ++e)
      l.expertFfnDims[e] = s.ffnDim[rng.uniformIndex(s.ffnDim.size())];
}

}  // namespace

LatencySampler::LatencySampler(SearchSpace space, uint64_t seed)
    : m_space(std::move(space)), m_codec(m_space), m_seed(seed) {}

ArchConfig LatencySampler::stratified(int round, int attempt) const {
  const std::vector<int> depths = sortedChoices(m_space.decoder.layers);
  const std::vector<int> experts = sortedChoices(m_space.decoder.experts);
  const int nd = static_cast<int>(depths.size()), ne = static_cast<int>(experts.size());
  // (round mod nd, (round + round / lcm) mod ne) visits all nd x ne pairs in nd x ne rounds.
  const int lcm = std::lcm(nd, ne);
  const int depth = depths[round % nd];
  const int expertTarget = experts[(round + round / lcm) % ne];

  Rng rng(mixSeed(m_seed, static_cast<uint64_t>(round) * kMaxAttempts + attempt));
  ArchConfig a = m_space.sample(rng);
  // Layers are drawn i.i.d.; borrow more from further samples to reach the target depth.
  while (a.decoder.numLayers() < depth) {
    const ArchConfig more = m_space.sample(rng);
    a.decoder.layers.insert(a.decoder.layers.end(), more.decoder.layers.begin(),
                            more.decoder.layers.end());
  }
  a.decoder.layers.resize(depth);
  auto spread = [&](StackArch& st, const StackSpace& sp) {
    for (LayerArch& l : st.layers) {
      const bool onTarget = rng.uniform01() < 0.5;
      int n = onTarget ? expertTarget : sp.experts[rng.uniformIndex(sp.experts.size())];
      if (std::find(sp.experts.begin(), sp.experts.end(), n) == sp.experts.end())
        n = sp.experts[rng.uniformIndex(sp.experts.size())];  // encoder lists other counts
      setExperts(l, n, sp, m_space.fractionalExperts, rng);
    }
  };
  spread(a.encoder, m_space.encoder);
  spread(a.decoder, m_space.decoder);
  if (!a.validate(m_space).empty())
    throw std::logic_error("LatencySampler produced a subnet outside the space");
  return a;
}

std::vector<ArchConfig> LatencySampler::plan(int n) const {
  std::vector<ArchConfig> out;
  std::set<std::vector<int>> seen;
  auto add = [&](const ArchConfig& a) {
    if (static_cast<int>(out.size()) >= n) return false;
    if (!seen.insert(m_codec.encode(a)).second) return false;
    out.push_back(a);
    return true;
  };
  add(m_space.largest());
  add(m_space.smallest());
  // A round whose draws all repeat earlier subnets counts as exhausted; many in a row end the plan.
  int exhaustedRounds = 0;
  for (int round = 0; static_cast<int>(out.size()) < n && exhaustedRounds < kMaxAttempts; ++round) {
    bool added = false;
    for (int attempt = 0; attempt < kMaxAttempts && !added; ++attempt)
      added = add(stratified(round, attempt));
    exhaustedRounds = added ? 0 : exhaustedRounds + 1;
  }
  return out;
}

}  // namespace automoe
