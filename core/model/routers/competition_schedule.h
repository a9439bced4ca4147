#pragma once
// When each CompeteSMoE layer of a model competes (moe_routers_spec.md §A.5). One schedule is
// shared by all MoE layers of a model (MoeOptions holds it); each competesmoe router takes a slot
// at construction, in construction order (encoder layers, then decoder layers), so every
// data-parallel rank that builds the same model from the same options gets the same flips
// without communication.
//
// "precomputed_capped" (v2): with warm-up W = int(warm_up T) and F = T - W flip steps, for each
// layer in slot order and each step s < F a flip is drawn with probability rate_flip; if s already
// has max_compete_in_iter competing layers the flip moves to the nearest earlier free step, else
// the nearest later one. Layer l competes at step t iff t >= W and flips[l][t - W]. When the total
// number of steps is unknown (0) the same draws are made per step without moving: a layer
// competes if its draw hits and fewer than the cap of the earlier slots hit.
// "bernoulli" (v1 "fix"): an independent draw per layer and step, no cap (warm-up if T is known).
#include <cstdint>
#include <mutex>
#include <vector>

#include "project/router_options.h"

namespace automoe {

class CompetitionSchedule {
 public:
  // Registers a competing layer; returns its slot.
  int addLayer();
  int numLayers() const;

  // Whether the layer in `slot` competes at optimizer step `step` of `totalSteps` (0 = unknown).
  bool competes(int slot, int64_t step, int64_t totalSteps, const CompeteSmoeOptions& options);

  // The v2 table: flips[l][s] for `layers` layers and `flipSteps` steps.
  static std::vector<std::vector<bool>> build(int layers, int64_t flipSteps, double rateFlip,
                                              int cap, uint64_t seed);

 private:
  bool drawHits(int slot, int64_t step, const CompeteSmoeOptions& options) const;

  mutable std::mutex m_mutex;
  int m_layers = 0;
  struct Key {
    int layers = -1;
    int64_t flipSteps = -1;
    double rate = -1;
    int cap = -1;
    uint64_t seed = 0;
    bool operator==(const Key& o) const {
      return layers == o.layers && flipSteps == o.flipSteps && rate == o.rate && cap == o.cap &&
             seed == o.seed;
    }
  } m_key;
  std::vector<std::vector<bool>> m_flips;
};

}  // namespace automoe
