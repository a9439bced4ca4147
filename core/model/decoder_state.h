#pragma once
// Incremental decoding state: per decoder layer, the self-attention keys/values so far and the
// projected encoder memory; plus the number of positions already decoded.
#include <vector>

#include <ATen/ATen.h>

#include "model/decoder_layer.h"

namespace automoe {

struct DecoderState {
  std::vector<DecoderLayerCache> layers;
  int64_t step = 0;  // positions decoded so far

  void reorder(const at::Tensor& order) {
    for (auto& l : layers) {
      l.self.reorder(order);
      l.cross.reorder(order);
    }
  }
};

}  // namespace automoe
