#include "model/routers/competition_schedule.h"

#include "util/rng.h"

namespace automoe {

namespace {

// Nearest available position at or before / at or after i, with path compression; a position is
// available while fewer than the cap layers compete there and the current layer does not.
struct Availability {
  explicit Availability(int64_t size) : left(size + 1), right(size + 1) {
    for (int64_t i = 0; i <= size; ++i) left[i] = right[i] = i;
  }
  // Positions are shifted by one in `left` (0 = none before) and `right` ends at size (none after).
  int64_t findLeft(int64_t i) {  // i in [-1, size): largest available j <= i, or -1
    int64_t r = i + 1;
    while (left[r] != r) r = left[r] = left[left[r]];
    return r - 1;
  }
  int64_t findRight(int64_t i) {  // smallest available j >= i, or size
    int64_t r = i;
    while (right[r] != r) r = right[r] = right[right[r]];
    return r;
  }
  void remove(int64_t i) {
    left[i + 1] = i;
    right[i] = i + 1;
  }
  std::vector<int64_t> left, right;
};

}  // namespace

int CompetitionSchedule::addLayer() {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_layers++;
}

int CompetitionSchedule::numLayers() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_layers;
}

std::vector<std::vector<bool>> CompetitionSchedule::build(int layers, int64_t F, double rate,
                                                          int cap, uint64_t seed) {
  std::vector<std::vector<bool>> flips(layers, std::vector<bool>(F, false));
  std::vector<int> count(F, 0);
  Rng rng(seed);
  for (int l = 0; l < layers; ++l) {
    Availability free(F);
    for (int64_t s = 0; s < F; ++s)
      if (count[s] >= cap) free.remove(s);
    for (int64_t s = 0; s < F; ++s) {
      if (rng.uniform01() >= rate) continue;
      int64_t at = free.findLeft(s);  // s itself if free, else the nearest earlier free step
      if (at < 0) at = free.findRight(s);
      if (at >= F) continue;  // every step is full
      flips[l][at] = true;
      free.remove(at);  // this layer competes there now (and the step may be full)
      ++count[at];
    }
  }
  return flips;
}

bool CompetitionSchedule::drawHits(int slot, int64_t step, const CompeteSmoeOptions& o) const {
  Rng rng(mixSeed(mixSeed(o.seed, static_cast<uint64_t>(step)), static_cast<uint64_t>(slot)));
  return rng.uniform01() < o.rateFlip;
}

bool CompetitionSchedule::competes(int slot, int64_t step, int64_t totalSteps,
                                   const CompeteSmoeOptions& o) {
  if (o.rateFlip <= 0 || step < 0) return false;
  const int64_t warm =
      totalSteps > 0 ? static_cast<int64_t>(o.warmUp * static_cast<double>(totalSteps)) : 0;
  if (step < warm) return false;
  if (o.schedule == "bernoulli") return drawHits(slot, step, o);
  if (totalSteps <= 0) {  // unknown horizon: per-step draws, capped in slot order
    if (!drawHits(slot, step, o)) return false;
    int before = 0;
    for (int j = 0; j < slot; ++j) before += drawHits(j, step, o);
    return before < o.maxCompeteInIter;
  }
  const int64_t F = totalSteps - warm;
  if (step - warm >= F) return false;
  std::lock_guard<std::mutex> lock(m_mutex);
  const Key key{m_layers, F, o.rateFlip, o.maxCompeteInIter, o.seed};
  if (!(key == m_key)) {
    m_flips = build(m_layers, F, o.rateFlip, o.maxCompeteInIter, o.seed);
    m_key = key;
  }
  return slot < static_cast<int>(m_flips.size()) && m_flips[slot][step - warm];
}

}  // namespace automoe
