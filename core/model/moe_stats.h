#pragma once
// Routing statistics and auxiliary losses collected over the MoE layers of one forward pass.
#include <map>
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
  std::vector<at::Tensor> auxLosses;                        // weighted, one per routed layer
  std::map<std::string, std::vector<at::Tensor>> auxTerms;  // unweighted terms by name

  // Means over the routed (n > 1) layers, 0 when the subnet has none, so subnets with different
  // numbers of MoE layers get comparable auxiliary losses. meanAuxLoss() goes into the objective.
  at::Tensor meanAuxLoss() const { return mean(auxLosses); }
  at::Tensor meanTerm(const std::string& name) const {
    auto it = auxTerms.find(name);
    return it == auxTerms.end() ? at::zeros({}, at::kFloat) : mean(it->second);
  }
  void add(const at::Tensor& auxLoss, const std::map<std::string, at::Tensor>& terms) {
    if (!auxLoss.defined()) return;
    auxLosses.push_back(auxLoss);
    for (const auto& kv : terms) auxTerms[kv.first].push_back(kv.second);
  }

 private:
  static at::Tensor mean(const std::vector<at::Tensor>& v) {
    if (v.empty()) return at::zeros({}, at::kFloat);
    return at::stack(v).mean();
  }
};

}  // namespace automoe
