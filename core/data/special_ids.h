#pragma once
// Token ids that the tokenizer reserves, for torch-free code. They equal kBosIndex, kPadIndex,
// kEosIndex and kUnkIndex of model/sinusoidal_positions.h (checked in data/batch.cpp).
#include <cstdint>

namespace automoe::special_ids {

constexpr int32_t kBos = 0;
constexpr int32_t kPad = 1;
constexpr int32_t kEos = 2;
constexpr int32_t kUnk = 3;

}  // namespace automoe::special_ids
