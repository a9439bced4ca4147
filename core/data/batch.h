#pragma once
// A collated training batch in fairseq's layout (teacher forcing):
//   src        [B, S]  source ids + EOS, right-padded with PAD
//   target     [B, T]  target ids + EOS, right-padded
//   prevOutput [B, T]  EOS + target ids (the decoder input, shifted right), right-padded
// All int64. The only data file that uses ATen.
#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace automoe {

class TokenDataset;

struct Batch {
  at::Tensor src;         // [B, S]
  at::Tensor prevOutput;  // [B, T]
  at::Tensor target;      // [B, T]
  int64_t srcTokens = 0;  // non-pad tokens in src (EOS included)
  int64_t tgtTokens = 0;  // non-pad tokens in target (EOS included): the loss denominator
};

Batch collateBatch(const TokenDataset& data, const std::vector<size_t>& indices);

}  // namespace automoe
