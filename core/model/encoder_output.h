#pragma once
// What the encoder hands to the decoder: the output of every sampled layer (for AutoMoE's
// arbitrary encoder-decoder attention) and the source padding mask.
#include <vector>

#include <ATen/ATen.h>

namespace automoe {

struct EncoderOutput {
  std::vector<at::Tensor> layers;  // each [B, S, d_enc], layer 0 first
  at::Tensor padding;              // [B, S] bool, true = pad
  int64_t dim = 0;                 // d_enc of the subnet

  // Memory for a decoder layer attending to the last `count` layers (clamped to the depth):
  // [B, S*m, d] concatenated along time as [last, second-to-last, ...].
  at::Tensor memory(int count) const {
    const int m = attendedLayers(count);
    if (m == 1) return layers.back();
    std::vector<at::Tensor> parts;
    for (int i = 0; i < m; ++i) parts.push_back(layers[layers.size() - 1 - i]);
    return at::cat(parts, 1);  // m x [B, S, d] -> [B, S*m, d]
  }
  // Padding of memory(count): [B, S*m].
  at::Tensor memoryPadding(int count) const {
    const int m = attendedLayers(count);
    return m == 1 ? padding : padding.repeat({1, m});  // [B, S] -> [B, S*m]
  }
  int attendedLayers(int count) const {
    return count < static_cast<int>(layers.size()) ? count : static_cast<int>(layers.size());
  }

  // Keeps batch rows `order` (beam search expands/reorders hypotheses).
  EncoderOutput reordered(const at::Tensor& order) const {
    EncoderOutput out;
    for (const auto& l : layers) out.layers.push_back(l.index_select(0, order));
    out.padding = padding.index_select(0, order);
    out.dim = dim;
    return out;
  }
};

}  // namespace automoe
