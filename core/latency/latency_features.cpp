#include "latency/latency_features.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "arch/arch_config.h"
#include "arch/search_space.h"
#include "latency/hardware_profile.h"

namespace automoe {

namespace {

struct StackTotals {
  double macs = 0;           // per token (encoder) or per decoded row (decoder)
  double weights = 0;        // every weight of the stack's layers
  double stepWeights = 0;    // weights one decoder step reads in expectation
  double reachedExperts = 0; // experts one decoder step reaches in expectation
  std::vector<NamedValue> sums;  // per-layer features summed over the stack's layers
};

void addToSums(StackTotals& totals, const std::string& name, double value) {
  for (auto& s : totals.sums)
    if (s.name == name) {
      s.value += value;
      return;
    }
  totals.sums.push_back({name, value});
}

// Expected number of distinct experts that `rows` tokens reach, each choosing k of n uniformly.
double expectedReached(int n, int k, int rows) {
  if (n <= 1) return n;
  return n * (1.0 - std::pow(1.0 - static_cast<double>(k) / n, rows));
}

void addLayers(std::vector<NamedValue>& out, StackTotals& totals, const StackArch& stack,
               int maxLayers, int qkv, int encoderLayers, int rows, bool decoder) {
  const std::string prefix = decoder ? "dec.l" : "enc.l";
  const double d = stack.embedDim;
  for (int i = 0; i < maxLayers; ++i) {
    const bool present = i < stack.numLayers();
    const LayerArch l = present ? stack.layers[i] : LayerArch{};
    double sum = 0, mx = 0;
    for (int f : l.expertFfnDims) {
      sum += f;
      mx = std::max(mx, static_cast<double>(f));
    }
    const int n = present ? l.numExperts() : 0;
    const double mean = n > 0 ? sum / n : 0;
    const int k = present ? l.effectiveTopK() : 0;
    std::vector<NamedValue> layer = {{"heads", present ? double(l.heads) : 0}};
    if (decoder) {
      layer.push_back({"ende_heads", present ? double(l.endeHeads) : 0});
      layer.push_back({"ende_layers", present ? double(std::min(l.endeSourceLayers(), encoderLayers)) : 0});
    }
    layer.push_back({"experts", double(n)});
    layer.push_back({"routed", n > 1 ? 1.0 : 0.0});  // a router and grouped dispatch run
    layer.push_back({"ffn_mean", mean});
    layer.push_back({"ffn_max", mx});
    layer.push_back({"ffn_sum", sum});
    layer.push_back({"top_k", double(k)});
    for (const auto& f : layer) {
      out.push_back({prefix + std::to_string(i) + "." + f.name, f.value});
      addToSums(totals, f.name, f.value);
    }
    if (!present) continue;
    // Self-attention Q/K/V + output; the decoder adds the enc-dec query and output projections.
    const double attention = 4.0 * qkv * d + (decoder ? 2.0 * qkv * d : 0.0);
    const double router = n > 1 ? n * d : 0.0;
    const double reached = expectedReached(n, k, rows);
    totals.macs += attention + k * 2.0 * mean * d + router;
    totals.weights += attention + 2.0 * sum * d + router;
    totals.stepWeights += attention + reached * 2.0 * mean * d + router;
    totals.reachedExperts += reached;
  }
}

}  // namespace

std::vector<NamedValue> latencyFeatures(const ArchConfig& arch, const SearchSpace& space,
                                        int decoderRows) {
  std::vector<NamedValue> out;
  out.push_back({"enc.embed_dim", double(arch.encoder.embedDim)});
  out.push_back({"enc.layers", double(arch.encoder.numLayers())});
  out.push_back({"dec.embed_dim", double(arch.decoder.embedDim)});
  out.push_back({"dec.layers", double(arch.decoder.numLayers())});
  const int maxEnc = std::max(space.encoder.maxLayers(), arch.encoder.numLayers());
  const int maxDec = std::max(space.decoder.maxLayers(), arch.decoder.numLayers());
  StackTotals enc, dec;
  addLayers(out, enc, arch.encoder, maxEnc, space.qkvDim, 0, decoderRows, false);
  addLayers(out, dec, arch.decoder, maxDec, space.qkvDim, arch.encoder.numLayers(), decoderRows, true);
  for (const auto& f : enc.sums) out.push_back({"enc.sum." + f.name, f.value});
  for (const auto& f : dec.sums) out.push_back({"dec.sum." + f.name, f.value});
  out.push_back({"enc.macs_per_token", enc.macs});
  out.push_back({"enc.weights", enc.weights});
  out.push_back({"dec.macs_per_row", dec.macs});
  out.push_back({"dec.weights", dec.weights});
  out.push_back({"dec.step_weights", dec.stepWeights});
  out.push_back({"dec.reached_experts", dec.reachedExperts});
  return out;
}

std::vector<std::string> latencyFeatureNames(const SearchSpace& space) {
  std::vector<std::string> names;
  for (const auto& f : latencyFeatures(space.largest(), space, 1)) names.push_back(f.name);
  return names;
}

bool describesWholeSubnet(const std::string& featureName) {
  // Layer slots are named by addLayers: "enc.l" / "dec.l", the slot's index, "." and the feature.
  for (const std::string prefix : {"enc.l", "dec.l"})
    if (featureName.rfind(prefix, 0) == 0 && featureName.size() > prefix.size() &&
        std::isdigit(static_cast<unsigned char>(featureName[prefix.size()])))
      return false;
  return true;
}

std::vector<double> featureValues(const std::vector<NamedValue>& features) {
  std::vector<double> v;
  v.reserve(features.size());
  for (const auto& f : features) v.push_back(f.value);
  return v;
}

int latencyDecoderRows(const HardwareProfile& profile) {
  return profile.batchSize * (profile.protocol == "automoe" ? 1 : profile.beam);
}

}  // namespace automoe
