#pragma once
// Closed-form size and compute of a subnet, from its ArchConfig alone (no model needed).
//
// Parameters count what the standalone (extracted) model stores: the shared embedding table
// (vocab x max(encoder, decoder width)), attention projections with biases, layer norms, each
// sampled expert at its own FFN width, and the router of every layer with more than one expert.
// Active parameters are those one token uses: everything except the experts, plus top-k experts of
// each MoE layer at the layer's mean expert size (the expectation under uniform routing).
//
// FLOPs = 2 x multiply-accumulates of every matrix product of one teacher-forced forward pass for a
// single sentence of srcLen source and tgtLen target tokens: Q/K/V and output projections, the two
// attention products (full T x S score matrices, causal masking not subtracted), router, routed
// experts (expected, as above) and the output projection onto the vocabulary. Element-wise work
// (softmax, layer norm, bias adds, activations) and the embedding lookup are not counted.
#include <cstdint>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "arch/router_types.h"

namespace automoe {

struct ArchConfig;

// Project settings that change stored sizes: router shapes (X-MoE routing width, strata) and
// conditional MoE routing (CMR: a dense FFN at the layer's widest expert width plus a d -> 1 gate
// in a MoE layer, run for every token).
struct LayerCostOptions {
  RouterShapeParams routers;
  bool cmr = false;
};

// The model-wide values, and per layer where a project's layer_routing rules change them.
struct CostOptions : LayerCostOptions {
  std::vector<LayerCostOptions> encoderLayers;  // by layer slot; a missing entry = model-wide
  std::vector<LayerCostOptions> decoderLayers;
  const LayerCostOptions& layer(bool decoder, size_t i) const {
    const auto& v = decoder ? decoderLayers : encoderLayers;
    return i < v.size() ? v[i] : *this;
  }
};

struct LayerCost {
  int64_t params = 0;
  double activeParams = 0;
  double flops = 0;
};

struct ArchStats {
  int srcLen = 0;
  int tgtLen = 0;
  int64_t totalParams = 0;
  int64_t embeddingParams = 0;
  double activeParams = 0;
  double flops = 0;                   // whole forward pass, output projection included
  double outputProjectionFlops = 0;   // the vocabulary projection alone
  std::vector<LayerCost> encoderLayers;
  std::vector<LayerCost> decoderLayers;

  int64_t nonEmbeddingParams() const { return totalParams - embeddingParams; }
  // 1 - active/total over the non-embedding parameters.
  double sparsity() const;
  nlohmann::json toJson() const;
};

ArchStats computeArchStats(const ArchConfig& arch, int qkvDim, int64_t vocabSize, int srcLen,
                           int tgtLen, const CostOptions& options = {});

}  // namespace automoe
