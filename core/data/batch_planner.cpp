#include "data/batch_planner.h"

#include <algorithm>
#include <stdexcept>

#include "util/rng.h"

namespace automoe {

BatchPlanner::BatchPlanner(std::vector<int64_t> lengths, int64_t maxTokens, int64_t maxPositions)
    : m_lengths(std::move(lengths)), m_maxTokens(maxTokens) {
  if (maxTokens < 1 || maxPositions < 1)
    throw std::invalid_argument("BatchPlanner: maxTokens and maxPositions must be positive");
  for (size_t i = 0; i < m_lengths.size(); ++i) {
    if (m_lengths[i] > maxTokens || m_lengths[i] > maxPositions)
      ++m_skipped;
    else
      m_kept.push_back(i);
  }
}

std::vector<BatchIndices> BatchPlanner::pack(const std::vector<size_t>& order) const {
  std::vector<BatchIndices> batches;
  BatchIndices current;
  int64_t longest = 0;
  for (size_t i : order) {
    const int64_t len = m_lengths[i];
    const int64_t newLongest = std::max(longest, len);
    if (!current.empty() && newLongest * static_cast<int64_t>(current.size() + 1) > m_maxTokens) {
      batches.push_back(std::move(current));
      current.clear();
      longest = 0;
    }
    current.push_back(i);
    longest = std::max(longest, len);
  }
  if (!current.empty()) batches.push_back(std::move(current));
  return batches;
}

std::vector<BatchIndices> BatchPlanner::fixed() const {
  std::vector<size_t> order = m_kept;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return m_lengths[a] < m_lengths[b]; });
  return pack(order);
}

std::vector<BatchIndices> BatchPlanner::epoch(uint64_t seed, uint64_t epochIndex) const {
  const uint64_t epochSeed = mixSeed(seed, epochIndex);
  std::vector<std::pair<uint64_t, size_t>> keyed;
  keyed.reserve(m_kept.size());
  for (size_t i : m_kept) keyed.emplace_back(mixSeed(epochSeed, i), i);
  std::sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    if (m_lengths[a.second] != m_lengths[b.second])
      return m_lengths[a.second] < m_lengths[b.second];
    return a.first != b.first ? a.first < b.first : a.second < b.second;
  });
  std::vector<size_t> order;
  order.reserve(keyed.size());
  for (const auto& k : keyed) order.push_back(k.second);
  std::vector<BatchIndices> batches = pack(order);
  Rng rng(mixSeed(epochSeed, /*stream=*/0xba7c));
  for (size_t i = batches.size(); i > 1; --i)
    std::swap(batches[i - 1], batches[rng.uniformIndex(i)]);
  return batches;
}

}  // namespace automoe
