#pragma once
// A tiny but fully heterogeneous search space for model tests: both embed widths differ between
// encoder and decoder choices, several depths, fractional experts, top-1/top-2, two routers and
// every arbitrary encoder-decoder attention option.
#include <nlohmann/json.hpp>

#include "arch/search_space.h"
#include "project/model_options.h"

namespace automoe::test {

inline SearchSpace tinySpace(bool fractional = true) {
  const nlohmann::json j = {
      {"format_version", 1},
      {"qkv_dim", 16},
      {"fractional_experts", fractional},
      {"encoder",
       {{"embed_dim", {16, 12}},
        {"layers", {1, 2, 3}},
        {"ffn_dim", {32, 24, 8}},
        {"heads", {4, 2}},
        {"experts", {1, 2, 3, 4}},
        {"top_k", {1, 2}},
        {"routers", {"softmax_topk", "switch_top1"}}}},
      {"decoder",
       {{"embed_dim", {20, 8}},
        {"layers", {1, 2, 3}},
        {"ffn_dim", {32, 24, 8}},
        {"heads", {4, 2, 1}},
        {"ende_heads", {4, 2}},
        {"arbitrary_ende_attn", {-1, 1, 2}},
        {"experts", {1, 2, 3}},
        {"top_k", {1, 2}},
        {"routers", {"softmax_topk", "switch_top1"}}}}};
  return SearchSpace::fromJson(j, "tiny_space");
}

inline ModelOptions tinyModelOptions() {
  ModelOptions m;
  m.vocabSize = 50;
  m.maxPositions = 64;
  m.dropout = 0.1;
  m.attentionDropout = 0.1;
  return m;
}

}  // namespace automoe::test
