#include "model/router.h"

#include <stdexcept>

#include "model/softmax_top_k_router.h"

namespace automoe {

std::shared_ptr<RouterBase> makeRouter(const std::string& type, int64_t embedDim,
                                       int64_t numExperts, double jitter) {
  if (type == "softmax_topk")
    return std::make_shared<SoftmaxTopKRouter>(embedDim, numExperts, false, 0.0);
  if (type == "switch_top1")
    return std::make_shared<SoftmaxTopKRouter>(embedDim, numExperts, true, jitter);
  throw std::invalid_argument("unknown router type \"" + type + "\"");
}

}  // namespace automoe
