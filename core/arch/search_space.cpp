#include "arch/search_space.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "arch/arch_config.h"
#include "arch/router_types.h"
#include "util/config_error.h"
#include "util/json_reader.h"
#include "util/rng.h"

namespace automoe {

namespace {

int maxOf(const std::vector<int>& v) { return v.empty() ? 0 : *std::max_element(v.begin(), v.end()); }
int minOf(const std::vector<int>& v) { return v.empty() ? 0 : *std::min_element(v.begin(), v.end()); }

StackSpace stackFromJson(const JsonReader& r, bool decoder) {
  if (decoder)
    r.rejectUnknownKeys({"embed_dim", "layers", "ffn_dim", "heads", "ende_heads",
                         "arbitrary_ende_attn", "experts", "top_k", "routers"});
  else
    r.rejectUnknownKeys({"embed_dim", "layers", "ffn_dim", "heads", "experts", "top_k", "routers"});
  StackSpace s;
  s.embedDim = r.getIntList("embed_dim");
  s.layers = r.getIntList("layers");
  s.ffnDim = r.getIntList("ffn_dim");
  s.heads = r.getIntList("heads");
  if (decoder) {
    s.endeHeads = r.has("ende_heads") ? r.getIntList("ende_heads") : s.heads;
    s.arbitraryEndeAttn = r.has("arbitrary_ende_attn") ? r.getIntList("arbitrary_ende_attn")
                                                       : std::vector<int>{-1};
  }
  s.experts = r.has("experts") ? r.getIntList("experts") : std::vector<int>{1};
  s.topK = r.has("top_k") ? r.getIntList("top_k") : std::vector<int>{1};
  s.routers = r.has("routers") ? r.getStringList("routers")
                               : std::vector<std::string>{"softmax_topk"};
  return s;
}

nlohmann::json stackToJson(const StackSpace& s, bool decoder) {
  nlohmann::json j;
  j["embed_dim"] = s.embedDim;
  j["layers"] = s.layers;
  j["ffn_dim"] = s.ffnDim;
  j["heads"] = s.heads;
  if (decoder) {
    j["ende_heads"] = s.endeHeads;
    j["arbitrary_ende_attn"] = s.arbitraryEndeAttn;
  }
  j["experts"] = s.experts;
  j["top_k"] = s.topK;
  j["routers"] = s.routers;
  return j;
}

void checkList(std::vector<std::string>& out, const std::string& field, const std::vector<int>& v,
               int minValue) {
  if (v.empty()) {
    out.push_back(field + ": must list at least one choice");
    return;
  }
  for (size_t i = 0; i < v.size(); ++i)
    if (v[i] < minValue)
      out.push_back(field + "[" + std::to_string(i) + "] = " + std::to_string(v[i]) +
                    ": must be >= " + std::to_string(minValue));
  std::vector<int> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
    out.push_back(field + ": lists a choice twice");
}

void stackProblems(std::vector<std::string>& out, const StackSpace& s, int qkvDim,
                   const std::string& name, bool decoder) {
  checkList(out, name + ".embed_dim", s.embedDim, 2);
  for (int d : s.embedDim)
    if (d % 2 != 0)
      out.push_back(name + ".embed_dim: " + std::to_string(d) +
                    " is odd (sinusoidal positions need an even width)");
  checkList(out, name + ".layers", s.layers, 1);
  checkList(out, name + ".ffn_dim", s.ffnDim, 1);
  checkList(out, name + ".heads", s.heads, 1);
  auto checkHeads = [&](const std::string& f, const std::vector<int>& heads) {
    for (int h : heads)
      if (h > 0 && qkvDim % h != 0)
        out.push_back(f + ": " + std::to_string(h) + " heads do not divide qkv_dim " +
                      std::to_string(qkvDim));
  };
  checkHeads(name + ".heads", s.heads);
  if (decoder) {
    checkList(out, name + ".ende_heads", s.endeHeads, 1);
    checkHeads(name + ".ende_heads", s.endeHeads);
    checkList(out, name + ".arbitrary_ende_attn", s.arbitraryEndeAttn, -1);
    for (int a : s.arbitraryEndeAttn)
      if (a != -1 && a != 1 && a != 2)
        out.push_back(name + ".arbitrary_ende_attn: " + std::to_string(a) +
                      " is not one of -1 (last encoder layer), 1 (last two), 2 (last three)");
  }
  checkList(out, name + ".experts", s.experts, 1);
  checkList(out, name + ".top_k", s.topK, 1);
  if (s.routers.empty()) out.push_back(name + ".routers: must list at least one router type");
  for (const auto& r : s.routers)
    if (!isKnownRouterType(r)) {
      std::string known;
      for (const auto& k : knownRouterTypes()) known += (known.empty() ? "" : ", ") + k;
      out.push_back(name + ".routers: unknown router type \"" + r + "\" (known: " + known + ")");
    }
}

template <typename T>
const T& pick(Rng& rng, const std::vector<T>& v) {
  return v[rng.uniformIndex(v.size())];
}

LayerArch sampleLayer(Rng& rng, const StackSpace& s, bool fractional, bool decoder) {
  LayerArch l;
  const int ffn = fractional ? 0 : pick(rng, s.ffnDim);
  l.heads = pick(rng, s.heads);
  if (decoder) {
    l.endeHeads = pick(rng, s.endeHeads);
    l.arbitraryEndeAttn = pick(rng, s.arbitraryEndeAttn);
  }
  const int n = pick(rng, s.experts);
  l.topK = pick(rng, s.topK);
  l.router = pick(rng, s.routers);
  l.expertFfnDims.resize(n, ffn);
  if (fractional)
    for (int& d : l.expertFfnDims) d = pick(rng, s.ffnDim);
  return l;
}

LayerArch extremeLayer(const StackSpace& s, bool largest, bool decoder) {
  auto ext = [&](const std::vector<int>& v) { return largest ? maxOf(v) : minOf(v); };
  LayerArch l;
  l.heads = ext(s.heads);
  if (decoder) {
    l.endeHeads = ext(s.endeHeads);
    l.arbitraryEndeAttn = ext(s.arbitraryEndeAttn);
  }
  l.topK = ext(s.topK);
  l.router = s.routers.front();
  l.expertFfnDims.assign(ext(s.experts), ext(s.ffnDim));
  return l;
}

// log10(sum_i 10^x_i) without overflow.
double log10SumExp(const std::vector<double>& xs) {
  const double m = *std::max_element(xs.begin(), xs.end());
  double s = 0;
  for (double x : xs) s += std::pow(10.0, x - m);
  return m + std::log10(s);
}

double stackLog10Size(const StackSpace& s, bool fractional, bool decoder) {
  std::vector<double> perExpertCount;
  for (int n : s.experts)
    perExpertCount.push_back(fractional ? n * std::log10(double(s.ffnDim.size()))
                                        : std::log10(double(s.ffnDim.size())));
  double perLayer = log10SumExp(perExpertCount) + std::log10(double(s.heads.size())) +
                    std::log10(double(s.topK.size())) + std::log10(double(s.routers.size()));
  if (decoder)
    perLayer += std::log10(double(s.endeHeads.size())) +
                std::log10(double(s.arbitraryEndeAttn.size()));
  std::vector<double> perDepth;
  for (int L : s.layers) perDepth.push_back(L * perLayer);
  return std::log10(double(s.embedDim.size())) + log10SumExp(perDepth);
}

}  // namespace

int StackSpace::maxEmbedDim() const { return maxOf(embedDim); }
int StackSpace::maxLayers() const { return maxOf(layers); }
int StackSpace::maxFfnDim() const { return maxOf(ffnDim); }
int StackSpace::maxExperts() const { return maxOf(experts); }

SearchSpace SearchSpace::fromJson(const nlohmann::json& j, const std::string& source,
                                  const std::string& path) {
  JsonReader r(j, source, path);
  r.rejectUnknownKeys({"format_version", "qkv_dim", "fractional_experts", "encoder", "decoder"});
  const int64_t version = r.getInt("format_version", kFormatVersion);
  if (version != kFormatVersion)
    r.fail("format_version", "unsupported version " + std::to_string(version) + " (this build reads " +
                                 std::to_string(kFormatVersion) + ")");
  SearchSpace s;
  s.qkvDim = static_cast<int>(r.getInt("qkv_dim", 512));
  s.fractionalExperts = r.getBool("fractional_experts", true);
  s.encoder = stackFromJson(r.child("encoder"), false);
  s.decoder = stackFromJson(r.child("decoder"), true);
  const auto probs = s.problems();
  if (!probs.empty()) {
    std::string msg = source + ": invalid search space '" + path + "':";
    for (const auto& p : probs) msg += "\n  - " + path + "." + p;
    throw ConfigError(msg);
  }
  return s;
}

nlohmann::json SearchSpace::toJson() const {
  return {{"format_version", kFormatVersion},
          {"qkv_dim", qkvDim},
          {"fractional_experts", fractionalExperts},
          {"encoder", stackToJson(encoder, false)},
          {"decoder", stackToJson(decoder, true)}};
}

std::vector<std::string> SearchSpace::problems() const {
  std::vector<std::string> out;
  if (qkvDim < 1) out.push_back("qkv_dim: must be positive, got " + std::to_string(qkvDim));
  stackProblems(out, encoder, qkvDim, "encoder", false);
  stackProblems(out, decoder, qkvDim, "decoder", true);
  return out;
}

ArchConfig SearchSpace::sample(Rng& rng) const {
  ArchConfig a;
  a.encoder.embedDim = pick(rng, encoder.embedDim);
  const int le = pick(rng, encoder.layers);
  a.decoder.embedDim = pick(rng, decoder.embedDim);
  const int ld = pick(rng, decoder.layers);
  for (int i = 0; i < le; ++i)
    a.encoder.layers.push_back(sampleLayer(rng, encoder, fractionalExperts, false));
  for (int i = 0; i < ld; ++i)
    a.decoder.layers.push_back(sampleLayer(rng, decoder, fractionalExperts, true));
  return a;
}

ArchConfig SearchSpace::sample(uint64_t seed) const {
  Rng rng(seed);
  return sample(rng);
}

ArchConfig SearchSpace::largest() const {
  ArchConfig a;
  a.encoder.embedDim = encoder.maxEmbedDim();
  a.decoder.embedDim = decoder.maxEmbedDim();
  a.encoder.layers.assign(encoder.maxLayers(), extremeLayer(encoder, true, false));
  a.decoder.layers.assign(decoder.maxLayers(), extremeLayer(decoder, true, true));
  return a;
}

ArchConfig SearchSpace::smallest() const {
  ArchConfig a;
  a.encoder.embedDim = minOf(encoder.embedDim);
  a.decoder.embedDim = minOf(decoder.embedDim);
  a.encoder.layers.assign(minOf(encoder.layers), extremeLayer(encoder, false, false));
  a.decoder.layers.assign(minOf(decoder.layers), extremeLayer(decoder, false, true));
  return a;
}

double SearchSpace::log10Size() const {
  return stackLog10Size(encoder, fractionalExperts, false) +
         stackLog10Size(decoder, fractionalExperts, true);
}

}  // namespace automoe
