#include "arch/arch_stats.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "arch/arch_config.h"

namespace automoe {

namespace {

struct FfnCost {
  int64_t params = 0;        // all experts + router
  double activeParams = 0;   // router + top-k experts of mean size
  double macsPerToken = 0;   // router + top-k experts of mean size
};

FfnCost ffnCost(const LayerArch& l, int64_t d, const LayerCostOptions& options) {
  FfnCost c;
  const int n = l.numExperts();
  double meanExpertParams = 0;
  for (int f : l.expertFfnDims) {
    const int64_t p = f * d + f + d * f + d;  // fc1 (weight+bias), fc2 (weight+bias)
    c.params += p;
    meanExpertParams += static_cast<double>(p) / n;
  }
  double meanExpertMacs = 0;
  for (int f : l.expertFfnDims) meanExpertMacs += 2.0 * f * d / n;
  const int k = l.effectiveTopK();
  c.activeParams = k * meanExpertParams;
  c.macsPerToken = k * meanExpertMacs;
  if (n > 1) {
    const int64_t router = routerParamCount(l.router, n, d, options.routers);
    c.params += router;
    c.activeParams += static_cast<double>(router);
    c.macsPerToken += static_cast<double>(n * d);  // one linear score per expert
    if (options.cmr) {
      const int64_t f = *std::max_element(l.expertFfnDims.begin(), l.expertFfnDims.end());
      const int64_t extra = (f * d + f + d * f + d) + (d + 1);  // dense FFN + gate
      c.params += extra;
      c.activeParams += static_cast<double>(extra);
      c.macsPerToken += 2.0 * f * d + d;
    }
  }
  return c;
}

// Q/K/V in-projection (weight + bias) and output projection (weight + bias).
int64_t attentionParams(int64_t dq, int64_t dkv, int64_t qkv) {
  return qkv * dq + 2 * qkv * dkv + 3 * qkv + dq * qkv + dq;
}

}  // namespace

double ArchStats::sparsity() const {
  const double total = static_cast<double>(nonEmbeddingParams());
  const double active = activeParams - static_cast<double>(embeddingParams);
  return total > 0 ? 1.0 - active / total : 0.0;
}

nlohmann::json ArchStats::toJson() const {
  auto layers = [](const std::vector<LayerCost>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& l : v)
      a.push_back({{"params", l.params}, {"active_params", l.activeParams}, {"flops", l.flops}});
    return a;
  };
  return {{"src_len", srcLen},
          {"tgt_len", tgtLen},
          {"total_params", totalParams},
          {"embedding_params", embeddingParams},
          {"non_embedding_params", nonEmbeddingParams()},
          {"active_params", activeParams},
          {"sparsity", sparsity()},
          {"flops", flops},
          {"output_projection_flops", outputProjectionFlops},
          {"encoder_layers", layers(encoderLayers)},
          {"decoder_layers", layers(decoderLayers)}};
}

ArchStats computeArchStats(const ArchConfig& arch, int qkvDim, int64_t vocabSize, int srcLen,
                           int tgtLen, const CostOptions& options) {
  ArchStats s;
  s.srcLen = srcLen;
  s.tgtLen = tgtLen;
  const int64_t q = qkvDim;
  const int64_t de = arch.encoder.embedDim;
  const int64_t dd = arch.decoder.embedDim;
  const double S = srcLen, T = tgtLen;

  s.embeddingParams = vocabSize * std::max(de, dd);
  s.totalParams = s.embeddingParams;
  s.activeParams = static_cast<double>(s.embeddingParams);
  double macs = 0;

  for (size_t i = 0; i < arch.encoder.layers.size(); ++i) {
    const LayerArch& l = arch.encoder.layers[i];
    const FfnCost f = ffnCost(l, de, options.layer(false, i));
    const int64_t fixed = attentionParams(de, de, q) + 2 * (2 * de);  // self-attn + 2 layer norms
    LayerCost c;
    c.params = fixed + f.params;
    c.activeParams = static_cast<double>(fixed) + f.activeParams;
    const double lm = S * 3 * q * de      // Q/K/V projection
                      + 2 * S * S * q      // QK^T and AV over all heads
                      + S * q * de         // output projection
                      + S * f.macsPerToken;
    c.flops = 2 * lm;
    macs += lm;
    s.totalParams += c.params;
    s.activeParams += c.activeParams;
    s.encoderLayers.push_back(c);
  }
  const int le = arch.encoder.numLayers();
  for (size_t i = 0; i < arch.decoder.layers.size(); ++i) {
    const LayerArch& l = arch.decoder.layers[i];
    const FfnCost f = ffnCost(l, dd, options.layer(true, i));
    const int64_t fixed = attentionParams(dd, dd, q) + attentionParams(dd, de, q) + 3 * (2 * dd);
    LayerCost c;
    c.params = fixed + f.params;
    c.activeParams = static_cast<double>(fixed) + f.activeParams;
    const double skv = S * std::min(l.endeSourceLayers(), le);  // concatenated encoder outputs
    const double lm = T * 3 * q * dd + 2 * T * T * q + T * q * dd  // self-attention
                      + T * q * dd + skv * 2 * q * de               // enc-dec Q and K/V projections
                      + 2 * T * skv * q + T * q * dd                // enc-dec products, output proj
                      + T * f.macsPerToken;
    c.flops = 2 * lm;
    macs += lm;
    s.totalParams += c.params;
    s.activeParams += c.activeParams;
    s.decoderLayers.push_back(c);
  }
  const double outMacs = T * dd * static_cast<double>(vocabSize);
  s.outputProjectionFlops = 2 * outMacs;
  s.flops = 2 * (macs + outMacs);
  return s;
}

}  // namespace automoe
