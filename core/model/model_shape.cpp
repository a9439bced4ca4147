#include "model/model_shape.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "arch/arch_config.h"
#include "arch/search_space.h"
#include "project/model_options.h"
#include "util/json_reader.h"

namespace automoe {

namespace {

StackShape superStack(const StackSpace& s) {
  StackShape st;
  st.embedDim = s.maxEmbedDim();
  st.superEmbedDim = st.embedDim;
  LayerShape layer;
  layer.expertFfnDims.assign(s.maxExperts(), s.maxFfnDim());
  if (s.maxExperts() > 1) layer.routers = s.routers;
  st.layers.assign(s.maxLayers(), layer);
  return st;
}

StackShape subStack(const StackArch& a, const StackShape& super) {
  StackShape st;
  st.embedDim = a.embedDim;
  st.superEmbedDim = super.superEmbedDim;
  for (const auto& l : a.layers) {
    LayerShape ls;
    ls.expertFfnDims = l.expertFfnDims;
    if (l.numExperts() > 1) ls.routers = {l.router};
    st.layers.push_back(ls);
  }
  return st;
}

void stackFit(std::vector<std::string>& out, const StackArch& a, const StackShape& s,
              const std::string& name) {
  if (a.embedDim > s.embedDim)
    out.push_back(name + ".embed_dim " + std::to_string(a.embedDim) + " > stored " +
                  std::to_string(s.embedDim));
  if (a.numLayers() > s.numLayers())
    out.push_back(name + ": " + std::to_string(a.numLayers()) + " layers > stored " +
                  std::to_string(s.numLayers()));
  if (a.numLayers() == 0) out.push_back(name + ": needs at least one layer");
  for (int i = 0; i < std::min(a.numLayers(), s.numLayers()); ++i) {
    const LayerArch& l = a.layers[i];
    const LayerShape& ls = s.layers[i];
    const std::string p = name + ".layers[" + std::to_string(i) + "]";
    if (l.numExperts() < 1) out.push_back(p + ": needs at least one expert");
    if (l.numExperts() > ls.numExperts())
      out.push_back(p + ": " + std::to_string(l.numExperts()) + " experts > stored " +
                    std::to_string(ls.numExperts()));
    for (int e = 0; e < std::min(l.numExperts(), ls.numExperts()); ++e)
      if (l.expertFfnDims[e] > ls.expertFfnDims[e] || l.expertFfnDims[e] < 1)
        out.push_back(p + ".experts[" + std::to_string(e) + "] width " +
                      std::to_string(l.expertFfnDims[e]) + " does not fit stored " +
                      std::to_string(ls.expertFfnDims[e]));
    if (l.numExperts() > 1 &&
        std::find(ls.routers.begin(), ls.routers.end(), l.router) == ls.routers.end())
      out.push_back(p + ": no weights for router \"" + l.router + "\"");
    if (l.topK < 1) out.push_back(p + ".top_k must be >= 1");
  }
}

nlohmann::json stackJson(const StackShape& s) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : s.layers) layers.push_back({{"experts", l.expertFfnDims}, {"routers", l.routers}});
  return {{"embed_dim", s.embedDim}, {"super_embed_dim", s.superEmbedDim}, {"layers", layers}};
}

StackShape stackFromJson(const JsonReader& r) {
  StackShape s;
  s.embedDim = static_cast<int>(r.getInt("embed_dim"));
  s.superEmbedDim = static_cast<int>(r.getInt("super_embed_dim"));
  const auto& layers = r.raw("layers");
  JsonReader lr(layers, r.source(), r.fieldPath("layers"));
  for (size_t i = 0; i < lr.arraySize(); ++i) {
    JsonReader e = lr.element(i);
    s.layers.push_back({e.getIntList("experts"), e.getStringList("routers")});
  }
  return s;
}

}  // namespace

ModelShape ModelShape::forSupernet(const SearchSpace& space, const ModelOptions& options) {
  ModelShape m;
  m.vocabSize = options.vocabSize;
  m.qkvDim = space.qkvDim;
  m.maxPositions = options.maxPositions;
  m.encoder = superStack(space.encoder);
  m.decoder = superStack(space.decoder);
  return m;
}

ModelShape ModelShape::forSubnet(const ArchConfig& arch, const ModelShape& super) {
  ModelShape m;
  m.vocabSize = super.vocabSize;
  m.qkvDim = super.qkvDim;
  m.maxPositions = super.maxPositions;
  m.encoder = subStack(arch.encoder, super.encoder);
  m.decoder = subStack(arch.decoder, super.decoder);
  return m;
}

std::vector<std::string> ModelShape::fitProblems(const ArchConfig& arch) const {
  std::vector<std::string> out;
  stackFit(out, arch.encoder, encoder, "encoder");
  stackFit(out, arch.decoder, decoder, "decoder");
  auto heads = [&](const char* what, int h) {
    if (h < 1 || qkvDim % h != 0)
      out.push_back(std::string(what) + ": " + std::to_string(h) + " heads do not divide qkv_dim " +
                    std::to_string(qkvDim));
  };
  for (const auto& l : arch.encoder.layers) heads("encoder heads", l.heads);
  for (const auto& l : arch.decoder.layers) {
    heads("decoder heads", l.heads);
    heads("decoder ende_heads", l.endeHeads);
  }
  return out;
}

nlohmann::json ModelShape::toJson() const {
  return {{"vocab_size", vocabSize},        {"qkv_dim", qkvDim},
          {"max_positions", maxPositions},  {"encoder", stackJson(encoder)},
          {"decoder", stackJson(decoder)}};
}

ModelShape ModelShape::fromJson(const nlohmann::json& j, const std::string& source) {
  JsonReader r(j, source, "shape");
  ModelShape m;
  m.vocabSize = r.getInt("vocab_size");
  m.qkvDim = static_cast<int>(r.getInt("qkv_dim"));
  m.maxPositions = static_cast<int>(r.getInt("max_positions"));
  m.encoder = stackFromJson(r.child("encoder"));
  m.decoder = stackFromJson(r.child("decoder"));
  return m;
}

}  // namespace automoe
