#include "arch/arch_config.h"

#include <algorithm>
#include <sstream>

#include <nlohmann/json.hpp>

#include "arch/router_types.h"
#include "arch/search_space.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/json_reader.h"

namespace automoe {

int LayerArch::effectiveTopK() const {
  return std::max(1, std::min({topK, numExperts(), routerMaxTopK(router)}));
}

bool LayerArch::operator==(const LayerArch& o) const {
  return heads == o.heads && endeHeads == o.endeHeads && arbitraryEndeAttn == o.arbitraryEndeAttn &&
         expertFfnDims == o.expertFfnDims && topK == o.topK && router == o.router;
}

namespace {

nlohmann::json stackToJson(const StackArch& s, bool decoder) {
  nlohmann::json layers = nlohmann::json::array();
  for (const auto& l : s.layers) {
    nlohmann::json jl;
    jl["heads"] = l.heads;
    if (decoder) {
      jl["ende_heads"] = l.endeHeads;
      jl["arbitrary_ende_attn"] = l.arbitraryEndeAttn;
    }
    jl["experts"] = l.expertFfnDims;
    jl["top_k"] = l.topK;
    jl["router"] = l.router;
    layers.push_back(jl);
  }
  return {{"embed_dim", s.embedDim}, {"layers", layers}};
}

StackArch stackFromJson(const JsonReader& r, bool decoder) {
  r.rejectUnknownKeys({"embed_dim", "layers"});
  StackArch s;
  s.embedDim = static_cast<int>(r.getInt("embed_dim"));
  const auto& layers = r.raw("layers");
  if (!layers.is_array()) r.fail("layers", "expected a list of layer objects");
  JsonReader lr(layers, r.source(), r.fieldPath("layers"));
  for (size_t i = 0; i < layers.size(); ++i) {
    JsonReader e = lr.element(i);
    if (decoder)
      e.rejectUnknownKeys({"heads", "ende_heads", "arbitrary_ende_attn", "experts", "top_k", "router"});
    else
      e.rejectUnknownKeys({"heads", "experts", "top_k", "router"});
    LayerArch l;
    l.heads = static_cast<int>(e.getInt("heads"));
    if (decoder) {
      l.endeHeads = static_cast<int>(e.getInt("ende_heads"));
      l.arbitraryEndeAttn = static_cast<int>(e.getInt("arbitrary_ende_attn"));
    }
    l.expertFfnDims = e.getIntList("experts");
    l.topK = static_cast<int>(e.getInt("top_k", 1));
    l.router = e.getString("router", "softmax_topk");
    s.layers.push_back(std::move(l));
  }
  return s;
}

bool contains(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }

std::string listText(const std::vector<int>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

void checkChoice(std::vector<std::string>& errs, const std::string& field, int value,
                 const std::vector<int>& choices) {
  if (!contains(choices, value))
    errs.push_back(field + " = " + std::to_string(value) + " is not one of " + listText(choices));
}

void validateStack(std::vector<std::string>& errs, const StackArch& s, const StackSpace& sp,
                   const SearchSpace& space, const std::string& name, bool decoder) {
  checkChoice(errs, name + ".embed_dim", s.embedDim, sp.embedDim);
  checkChoice(errs, name + ".layers (count)", s.numLayers(), sp.layers);
  for (int i = 0; i < s.numLayers(); ++i) {
    const LayerArch& l = s.layers[i];
    const std::string p = name + ".layers[" + std::to_string(i) + "]";
    checkChoice(errs, p + ".heads", l.heads, sp.heads);
    if (decoder) {
      checkChoice(errs, p + ".ende_heads", l.endeHeads, sp.endeHeads);
      checkChoice(errs, p + ".arbitrary_ende_attn", l.arbitraryEndeAttn, sp.arbitraryEndeAttn);
    }
    checkChoice(errs, p + ".experts (count)", l.numExperts(), sp.experts);
    for (int e = 0; e < l.numExperts(); ++e)
      checkChoice(errs, p + ".experts[" + std::to_string(e) + "]", l.expertFfnDims[e], sp.ffnDim);
    if (!space.fractionalExperts && l.numExperts() > 1) {
      const bool same = std::all_of(l.expertFfnDims.begin(), l.expertFfnDims.end(),
                                    [&](int d) { return d == l.expertFfnDims[0]; });
      if (!same)
        errs.push_back(p + ".experts = " + listText(l.expertFfnDims) +
                       ": the space has fractional_experts = false, so all experts of a layer "
                       "must have the same FFN width");
    }
    checkChoice(errs, p + ".top_k", l.topK, sp.topK);
    if (std::find(sp.routers.begin(), sp.routers.end(), l.router) == sp.routers.end())
      errs.push_back(p + ".router = \"" + l.router + "\" is not one of the space's routers");
  }
}

}  // namespace

nlohmann::json ArchConfig::toJson() const {
  return {{"encoder", stackToJson(encoder, false)}, {"decoder", stackToJson(decoder, true)}};
}

ArchConfig ArchConfig::fromJson(const nlohmann::json& j, const std::string& source) {
  JsonReader r(j, source);
  r.rejectUnknownKeys({"encoder", "decoder", "format_version", "comment"});
  ArchConfig a;
  a.encoder = stackFromJson(r.child("encoder"), false);
  a.decoder = stackFromJson(r.child("decoder"), true);
  return a;
}

ArchConfig ArchConfig::loadFile(const std::string& path) {
  const nlohmann::json j = parseJsonText(readTextFile(path), path);
  // A model card or search result may wrap the architecture under "arch".
  if (j.is_object() && j.contains("arch") && !j.contains("encoder"))
    return fromJson(j.at("arch"), path + " (arch)");
  return fromJson(j, path);
}

ArchConfig ArchConfig::loadValidated(const std::string& path, const SearchSpace& space) {
  ArchConfig a = loadFile(path);
  a.requireIn(space, path);
  return a;
}

void ArchConfig::requireIn(const SearchSpace& space, const std::string& source) const {
  const std::vector<std::string> errs = validate(space);
  if (errs.empty()) return;
  std::string msg = source + ": the architecture is not in the project's search space:";
  for (const auto& e : errs) msg += "\n  - " + e;
  throw ConfigError(msg);
}

std::vector<std::string> ArchConfig::validate(const SearchSpace& space) const {
  std::vector<std::string> errs;
  validateStack(errs, encoder, space.encoder, space, "encoder", false);
  validateStack(errs, decoder, space.decoder, space, "decoder", true);
  return errs;
}

std::string ArchConfig::summary() const {
  std::ostringstream os;
  auto stack = [&](const char* name, const StackArch& s) {
    os << name << " d" << s.embedDim << " L" << s.numLayers() << " experts[";
    for (int i = 0; i < s.numLayers(); ++i) os << (i ? "," : "") << s.layers[i].numExperts();
    os << "]";
  };
  stack("enc", encoder);
  os << " | ";
  stack("dec", decoder);
  return os.str();
}

}  // namespace automoe
