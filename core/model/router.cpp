#include "model/router.h"

#include <stdexcept>

#include "model/routers/compete_smoe_router.h"
#include "model/routers/gshard_top2_router.h"
#include "model/routers/smoe_dropout_router.h"
#include "model/routers/stable_moe_router.h"
#include "model/routers/stratified_router.h"
#include "model/routers/xmoe_router.h"
#include "model/softmax_top_k_router.h"

namespace automoe {

RouteDecision RouterBase::routeDense(const RouteRequest&, const at::Tensor&) const {
  throw std::logic_error("this router does not route on expert outputs");
}

MultiPassResult RouterBase::routeMultiPass(const RouteRequest&, const Dispatch&) const {
  throw std::logic_error("this router is not a multi-pass router");
}

std::shared_ptr<RouterBase> makeRouter(const std::string& type, int64_t embedDim,
                                       int64_t numExperts, const RouterSettings& settings) {
  if (type == "softmax_topk")
    return std::make_shared<SoftmaxTopKRouter>(embedDim, numExperts, false, settings);
  if (type == "switch_top1")
    return std::make_shared<SoftmaxTopKRouter>(embedDim, numExperts, true, settings);
  if (type == "gshard_top2")
    return std::make_shared<GShardTop2Router>(embedDim, numExperts, settings);
  if (type == "smoe_dropout")
    return std::make_shared<SmoeDropoutRouter>(embedDim, numExperts, settings);
  if (type == "xmoe") return std::make_shared<XmoeRouter>(embedDim, numExperts, settings);
  if (type == "stablemoe") return std::make_shared<StableMoeRouter>(embedDim, numExperts, settings);
  if (type == "competesmoe")
    return std::make_shared<CompeteSmoeRouter>(embedDim, numExperts, settings);
  if (type == "stratified")
    return std::make_shared<StratifiedRouter>(embedDim, numExperts, settings);
  throw std::invalid_argument("unknown router type \"" + type + "\"");
}

}  // namespace automoe
