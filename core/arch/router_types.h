#pragma once
// Names of the router algorithms a search space may list per layer. The model side maps each name
// to an implementation (core/model/router_factory); this list is torch-free so that search spaces
// can be validated anywhere.
#include <string>
#include <vector>

namespace automoe {

const std::vector<std::string>& knownRouterTypes();
bool isKnownRouterType(const std::string& name);
// Largest number of experts a router of this type sends a token to (switch_top1: 1).
int routerMaxTopK(const std::string& name);

}  // namespace automoe
