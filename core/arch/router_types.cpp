#include "arch/router_types.h"

#include <algorithm>
#include <stdexcept>

namespace automoe {

const std::vector<std::string>& knownRouterTypes() {
  static const std::vector<std::string> kTypes = {
      "softmax_topk",  // GShard/SMoE-style: softmax over sampled experts, top-k, renormalised
      "switch_top1",   // Switch Transformer: top-1, gate = p, jitter, capacity (drops pass through)
      "gshard_top2",   // GShard: top-1 + sampled second expert, queue-ordered capacity, renorm
      "smoe_dropout",  // SMoE-Dropout: frozen random router, k grows during training
      "xmoe",          // X-MoE: cosine routing in a low-dimensional space
      "stablemoe",     // StableMoE (CompeteSMoE repo variant): cosine-style expert centroids
      "competesmoe",   // CompeteSMoE v2: scheduled competition, router trained to predict it
      "stratified",    // Stratified MoE: experts in strata, tokens move up strata over passes
  };
  return kTypes;
}

bool isKnownRouterType(const std::string& name) {
  const auto& t = knownRouterTypes();
  return std::find(t.begin(), t.end(), name) != t.end();
}

int routerMaxTopK(const std::string& name) {
  if (name == "switch_top1") return 1;
  if (name == "gshard_top2" || name == "stratified") return 2;
  return 1 << 20;
}

int64_t routerParamCount(const std::string& type, int64_t n, int64_t d,
                         const RouterShapeParams& shape) {
  if (type == "softmax_topk" || type == "switch_top1" || type == "smoe_dropout")
    return n * d + n;                                                // weight [n, d], bias [n]
  if (type == "gshard_top2" || type == "competesmoe") return n * d;  // weight [n, d]
  if (type == "stablemoe") return n * d;                             // centroids [n, d]
  if (type == "xmoe")
    return static_cast<int64_t>(shape.xmoeRoutingDim) * (d + n);  // [d_r, d] + [n, d_r]
  if (type == "stratified") {
    const int64_t strata = std::min<int64_t>(shape.strata, n);
    const int64_t norms = shape.strataLayerNorm && strata > 1 ? 2 * (strata - 1) * d : 0;
    return strata * n * d + norms;  // gates [L, n, d], norm weight/bias [L - 1, d] each
  }
  throw std::invalid_argument("unknown router type \"" + type + "\"");
}

}  // namespace automoe
