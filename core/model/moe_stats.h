#pragma once
// Routing statistics and auxiliary losses collected over the MoE layers of one forward pass.
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace automoe {

struct LayerRouting {
  bool decoder = false;
  int layer = 0;
  at::Tensor expertTokens;    // [n] tokens per expert
  int64_t droppedTokens = 0;
};

struct MoeStats {
  std::vector<LayerRouting> layers;  // every layer (dense layers have one expert)
  std::vector<at::Tensor> balanceLosses;  // one scalar per routed (n > 1) layer
  std::vector<at::Tensor> zLosses;

  // Means over the routed layers (0 when the subnet has none), so subnets with different numbers
  // of MoE layers get comparable auxiliary losses.
  at::Tensor meanBalanceLoss() const { return mean(balanceLosses); }
  at::Tensor meanZLoss() const { return mean(zLosses); }

 private:
  static at::Tensor mean(const std::vector<at::Tensor>& v) {
    if (v.empty()) return at::zeros({}, at::kFloat);
    return at::stack(v).mean();
  }
};

}  // namespace automoe
