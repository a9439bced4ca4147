#pragma once
// Names of the router algorithms a search space may list per layer. The model side maps each name
// to an implementation (core/model/router.cpp, makeRouter); this list is torch-free so that search
// spaces can be validated anywhere.
#include <cstdint>
#include <string>
#include <vector>

namespace automoe {

const std::vector<std::string>& knownRouterTypes();
bool isKnownRouterType(const std::string& name);
// Largest number of experts a router of this type sends a token to in one routing pass
// (switch_top1: 1; gshard_top2 and stratified: 2; the others: unlimited).
int routerMaxTopK(const std::string& name);

// What the stored size of a router depends on besides n and d (project "model.routers" options).
struct RouterShapeParams {
  int xmoeRoutingDim = 16;
  int strata = 2;
  bool strataLayerNorm = true;
};
// Number of stored parameters of a router of `type` for n experts at width d (what a subnet's
// router holds), for parameter counting. Throws std::invalid_argument for an unknown type.
int64_t routerParamCount(const std::string& type, int64_t n, int64_t d,
                         const RouterShapeParams& shape = {});

}  // namespace automoe
