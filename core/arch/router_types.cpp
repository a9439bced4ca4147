#include "arch/router_types.h"

#include <algorithm>

namespace automoe {

const std::vector<std::string>& knownRouterTypes() {
  static const std::vector<std::string> kTypes = {
      "softmax_topk",  // GShard/SMoE-style: softmax over sampled experts, top-k, renormalised
      "switch_top1",   // Switch Transformer: top-1, gate = p (not renormalised), jitter in training
  };
  return kTypes;
}

bool isKnownRouterType(const std::string& name) {
  const auto& t = knownRouterTypes();
  return std::find(t.begin(), t.end(), name) != t.end();
}

int routerMaxTopK(const std::string& name) { return name == "switch_top1" ? 1 : 1 << 20; }

}  // namespace automoe
