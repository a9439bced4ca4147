#include "arch/gene_codec.h"

#include <algorithm>

#include "arch/arch_config.h"
#include "util/config_error.h"

namespace automoe {

namespace {

int indexOf(const std::vector<int>& v, int x, const std::string& what) {
  auto it = std::find(v.begin(), v.end(), x);
  if (it == v.end()) throw ConfigError("gene encoding: " + what + " = " + std::to_string(x) +
                                       " is not a choice of the search space");
  return static_cast<int>(it - v.begin());
}

}  // namespace

GeneCodec::GeneCodec(SearchSpace space) : m_space(std::move(space)) {
  addStack(false);
  addStack(true);
}

void GeneCodec::addStack(bool decoder) {
  const StackSpace& s = decoder ? m_space.decoder : m_space.encoder;
  const std::string stack = decoder ? "decoder" : "encoder";
  auto add = [&](Kind k, int layer, int expert, const std::string& name) {
    Slot slot{decoder, k, layer, expert};
    m_slots.push_back(slot);
    const int card = k == Kind::Router ? static_cast<int>(s.routers.size())
                                       : static_cast<int>(choices(slot).size());
    m_specs.push_back({name, card});
  };
  add(Kind::EmbedDim, -1, -1, stack + ".embed_dim");
  add(Kind::Layers, -1, -1, stack + ".layers");
  for (int i = 0; i < s.maxLayers(); ++i) {
    const std::string p = stack + ".layers[" + std::to_string(i) + "]";
    if (!m_space.fractionalExperts) add(Kind::Ffn, i, -1, p + ".ffn_dim");
    add(Kind::Heads, i, -1, p + ".heads");
    if (decoder) {
      add(Kind::EndeHeads, i, -1, p + ".ende_heads");
      add(Kind::Arbitrary, i, -1, p + ".arbitrary_ende_attn");
    }
    add(Kind::Experts, i, -1, p + ".experts");
    add(Kind::TopK, i, -1, p + ".top_k");
    add(Kind::Router, i, -1, p + ".router");
    if (m_space.fractionalExperts)
      for (int e = 0; e < s.maxExperts(); ++e)
        add(Kind::ExpertFfn, i, e, p + ".experts[" + std::to_string(e) + "].ffn_dim");
  }
}

const std::vector<int>& GeneCodec::choices(const Slot& s) const {
  const StackSpace& sp = s.decoder ? m_space.decoder : m_space.encoder;
  static const std::vector<int> kNone;
  switch (s.kind) {
    case Kind::EmbedDim: return sp.embedDim;
    case Kind::Layers: return sp.layers;
    case Kind::Ffn: return sp.ffnDim;
    case Kind::Heads: return sp.heads;
    case Kind::EndeHeads: return sp.endeHeads;
    case Kind::Arbitrary: return sp.arbitraryEndeAttn;
    case Kind::Experts: return sp.experts;
    case Kind::TopK: return sp.topK;
    case Kind::ExpertFfn: return sp.ffnDim;
    case Kind::Router: return kNone;
  }
  return kNone;
}

std::vector<int> GeneCodec::encode(const ArchConfig& arch) const {
  std::vector<int> g(m_slots.size(), 0);
  for (size_t i = 0; i < m_slots.size(); ++i) {
    const Slot& s = m_slots[i];
    const StackArch& st = s.decoder ? arch.decoder : arch.encoder;
    const StackSpace& sp = s.decoder ? m_space.decoder : m_space.encoder;
    const std::string& name = m_specs[i].name;
    if (s.kind == Kind::EmbedDim) {
      g[i] = indexOf(sp.embedDim, st.embedDim, name);
      continue;
    }
    if (s.kind == Kind::Layers) {
      g[i] = indexOf(sp.layers, st.numLayers(), name);
      continue;
    }
    if (s.layer >= st.numLayers()) continue;  // inert: layer not in this subnet
    const LayerArch& l = st.layers[s.layer];
    switch (s.kind) {
      case Kind::Ffn: g[i] = indexOf(sp.ffnDim, l.expertFfnDims.at(0), name); break;
      case Kind::Heads: g[i] = indexOf(sp.heads, l.heads, name); break;
      case Kind::EndeHeads: g[i] = indexOf(sp.endeHeads, l.endeHeads, name); break;
      case Kind::Arbitrary: g[i] = indexOf(sp.arbitraryEndeAttn, l.arbitraryEndeAttn, name); break;
      case Kind::Experts: g[i] = indexOf(sp.experts, l.numExperts(), name); break;
      case Kind::TopK: g[i] = indexOf(sp.topK, l.topK, name); break;
      case Kind::Router: {
        auto it = std::find(sp.routers.begin(), sp.routers.end(), l.router);
        if (it == sp.routers.end())
          throw ConfigError("gene encoding: " + name + " = \"" + l.router + "\" is not in the space");
        g[i] = static_cast<int>(it - sp.routers.begin());
        break;
      }
      case Kind::ExpertFfn:
        if (s.expert < l.numExperts()) g[i] = indexOf(sp.ffnDim, l.expertFfnDims[s.expert], name);
        break;
      default: break;
    }
  }
  return g;
}

ArchConfig GeneCodec::decode(const std::vector<int>& g) const {
  if (g.size() != m_slots.size())
    throw ConfigError("gene decoding: expected " + std::to_string(m_slots.size()) +
                      " genes, got " + std::to_string(g.size()));
  for (size_t i = 0; i < g.size(); ++i)
    if (g[i] < 0 || g[i] >= m_specs[i].cardinality)
      throw ConfigError("gene decoding: gene " + m_specs[i].name + " = " + std::to_string(g[i]) +
                        " is out of range [0, " + std::to_string(m_specs[i].cardinality) + ")");
  ArchConfig a;
  // Pass 1: stack-level genes fix the depth; pass 2 fills the layers.
  for (size_t i = 0; i < m_slots.size(); ++i) {
    const Slot& s = m_slots[i];
    StackArch& st = s.decoder ? a.decoder : a.encoder;
    const StackSpace& sp = s.decoder ? m_space.decoder : m_space.encoder;
    if (s.kind == Kind::EmbedDim) st.embedDim = sp.embedDim[g[i]];
    if (s.kind == Kind::Layers) st.layers.resize(sp.layers[g[i]]);
  }
  std::vector<int> layerFfn;  // non-fractional: per-layer FFN gene value, applied after expert count
  for (size_t i = 0; i < m_slots.size(); ++i) {
    const Slot& s = m_slots[i];
    StackArch& st = s.decoder ? a.decoder : a.encoder;
    const StackSpace& sp = s.decoder ? m_space.decoder : m_space.encoder;
    if (s.layer < 0 || s.layer >= st.numLayers()) continue;
    LayerArch& l = st.layers[s.layer];
    switch (s.kind) {
      case Kind::Ffn: l.expertFfnDims.assign(1, sp.ffnDim[g[i]]); break;
      case Kind::Heads: l.heads = sp.heads[g[i]]; break;
      case Kind::EndeHeads: l.endeHeads = sp.endeHeads[g[i]]; break;
      case Kind::Arbitrary: l.arbitraryEndeAttn = sp.arbitraryEndeAttn[g[i]]; break;
      case Kind::Experts: {
        const int n = sp.experts[g[i]];
        const int fill = l.expertFfnDims.empty() ? 0 : l.expertFfnDims[0];
        l.expertFfnDims.assign(n, fill);
        break;
      }
      case Kind::TopK: l.topK = sp.topK[g[i]]; break;
      case Kind::Router: l.router = sp.routers[g[i]]; break;
      case Kind::ExpertFfn:
        if (s.expert < l.numExperts()) l.expertFfnDims[s.expert] = sp.ffnDim[g[i]];
        break;
      default: break;
    }
  }
  return a;
}

}  // namespace automoe
