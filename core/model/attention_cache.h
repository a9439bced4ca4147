#pragma once
// Key/value cache of one attention module for incremental decoding. Keys and values are stored
// before the head split ([B, t, qkv]) so the cache does not depend on the sampled head count.
#include <ATen/ATen.h>

namespace automoe {

struct AttentionCache {
  at::Tensor key;    // [B, t, qkv]
  at::Tensor value;  // [B, t, qkv]

  bool empty() const { return !key.defined(); }
  // Keeps the rows `order` (beam search: which hypotheses survive), along the batch dimension.
  void reorder(const at::Tensor& order) {
    if (empty()) return;
    key = key.index_select(0, order);
    value = value.index_select(0, order);
  }
};

}  // namespace automoe
