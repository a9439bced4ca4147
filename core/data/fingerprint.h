#pragma once
// Content fingerprints and timestamps for the data manifests (corpus.json, meta.json).
#include <cstdint>
#include <string>
#include <string_view>

namespace automoe {

// FNV-1a, 64 bit: stable across platforms; chain calls by passing the previous hash as `basis`.
uint64_t fnv1a64(std::string_view data, uint64_t basis = 0xcbf29ce484222325ULL);

// 16 lower-case hex digits.
std::string hex64(uint64_t value);

// Current UTC time, "2025-05-20T12:00:00Z".
std::string utcTimestamp();

}  // namespace automoe
