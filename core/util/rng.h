#pragma once
// Explicit, portable random number generator. std::mt19937_64's output sequence is fixed by the
// standard, but std::uniform_int_distribution is not, so the helpers below are written out to make
// every sampled subnet identical across compilers and standard libraries for the same seed.
#include <cstdint>
#include <random>

namespace automoe {

class Rng {
 public:
  explicit Rng(uint64_t seed) : m_engine(seed) {}

  // Uniform integer in [0, n). Uses rejection to avoid modulo bias.
  uint64_t uniformIndex(uint64_t n) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t v = m_engine();
    while (v >= limit) v = m_engine();
    return v % n;
  }

  // Uniform double in [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>(m_engine() >> 11) * 0x1.0p-53; }

  uint64_t next() { return m_engine(); }

 private:
  std::mt19937_64 m_engine;
};

// Mixes a base seed and a stream index (e.g. training step) into an independent seed (splitmix64).
inline uint64_t mixSeed(uint64_t seed, uint64_t stream) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace automoe
