#pragma once
// A float's bf16 rounding, bit for bit as c10::BFloat16 rounds it: to nearest, ties to even; any
// NaN becomes the quiet NaN 0x7FC0. And back: the float a bf16 bit pattern stands for (exact).
// Inline, so that loops over them vectorise.
#include <cstdint>
#include <cstring>

namespace automoe {

inline uint16_t bf16RoundedBits(uint32_t floatBits) {
  if ((floatBits & 0x7FFFFFFFu) > 0x7F800000u) return 0x7FC0;  // NaN
  return static_cast<uint16_t>((floatBits + 0x7FFFu + ((floatBits >> 16) & 1u)) >> 16);
}

inline uint16_t bf16RoundedBits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bf16RoundedBits(bits);
}

inline float bf16Widened(uint16_t bf16Bits) {
  const uint32_t bits = static_cast<uint32_t>(bf16Bits) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

}  // namespace automoe
