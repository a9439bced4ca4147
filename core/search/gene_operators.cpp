#include "search/gene_operators.h"

#include <string>

#include "arch/arch_config.h"
#include "util/rng.h"

namespace automoe {

namespace {

// The index in "...<key>[<n>]..." or -1.
int bracketIndex(const std::string& name, const std::string& key) {
  const auto p = name.find(key + "[");
  if (p == std::string::npos) return -1;
  return std::stoi(name.substr(p + key.size() + 1));
}

}  // namespace

GeneOperators::GeneOperators(const SearchSpace& space) : m_space(space), m_codec(space) {
  // Gene names follow GeneCodec: "<stack>.embed_dim", "<stack>.layers",
  // "<stack>.layers[i].<dim>", "<stack>.layers[i].experts[e].ffn_dim".
  for (const GeneSpec& g : m_codec.genes()) {
    Place p;
    p.decoder = g.name.rfind("decoder", 0) == 0;
    p.layer = bracketIndex(g.name, "layers");
    p.expert = bracketIndex(g.name, "experts");
    m_places.push_back(p);
  }
}

std::vector<int> GeneOperators::sample(Rng& rng) const { return m_codec.encode(m_space.sample(rng)); }

std::vector<int> GeneOperators::canonical(const std::vector<int>& genes) const {
  return m_codec.encode(m_codec.decode(genes));
}

std::vector<bool> GeneOperators::activeMask(const std::vector<int>& genes) const {
  const ArchConfig a = m_codec.decode(genes);
  std::vector<bool> mask(genes.size(), true);
  for (size_t i = 0; i < genes.size(); ++i) {
    const Place& p = m_places[i];
    if (p.layer < 0) continue;
    const StackArch& s = p.decoder ? a.decoder : a.encoder;
    if (p.layer >= s.numLayers()) {
      mask[i] = false;
    } else if (p.expert >= 0) {
      mask[i] = p.expert < s.layers[p.layer].numExperts();
    }
  }
  return mask;
}

std::vector<int> GeneOperators::withRandomInert(const std::vector<int>& genes, Rng& rng) const {
  std::vector<int> g = genes;
  const std::vector<bool> active = activeMask(genes);
  const auto& specs = m_codec.genes();
  for (size_t i = 0; i < g.size(); ++i)
    if (!active[i]) g[i] = static_cast<int>(rng.uniformIndex(static_cast<uint64_t>(specs[i].cardinality)));
  return g;
}

std::vector<int> GeneOperators::mutate(const std::vector<int>& parent, double prob, Rng& rng) const {
  std::vector<int> g = withRandomInert(parent, rng);
  const auto& specs = m_codec.genes();
  for (size_t i = 0; i < g.size(); ++i)
    if (rng.uniform01() < prob) g[i] = static_cast<int>(rng.uniformIndex(static_cast<uint64_t>(specs[i].cardinality)));
  return canonical(g);
}

std::vector<int> GeneOperators::crossover(const std::vector<int>& a, const std::vector<int>& b, Rng& rng) const {
  const std::vector<int> ra = withRandomInert(a, rng), rb = withRandomInert(b, rng);
  std::vector<int> g(ra.size());
  for (size_t i = 0; i < g.size(); ++i) g[i] = rng.uniform01() < 0.5 ? ra[i] : rb[i];
  return canonical(g);
}

}  // namespace automoe
