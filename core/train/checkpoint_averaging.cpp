#include "train/checkpoint_averaging.h"

#include <stdexcept>

#include <ATen/core/grad_mode.h>
#include <ATen/ATen.h>

#include "model/super_transformer.h"
#include "train/checkpoint.h"
#include "util/json_reader.h"

namespace automoe {

nlohmann::json averageCheckpoints(const std::vector<std::string>& paths, SuperTransformerImpl& model) {
  if (paths.empty()) throw std::invalid_argument("averageCheckpoints: no checkpoints given");
  std::vector<at::Tensor> sums;
  nlohmann::json meta, steps = nlohmann::json::array();
  for (const std::string& path : paths) {
    meta = Checkpoint::load(path, model, nullptr);
    steps.push_back(valueOr(meta, "step", int64_t{0}));
    at::NoGradGuard noGrad;
    size_t i = 0;
    for (const auto& p : model.parameters()) {
      if (sums.size() <= i) sums.push_back(at::zeros_like(p, p.options().dtype(at::kDouble)));
      sums[i++].add_(p.to(at::kDouble));
    }
  }
  at::NoGradGuard noGrad;
  size_t i = 0;
  for (auto& p : model.parameters()) p.copy_(sums[i++] / static_cast<double>(paths.size()));
  meta["averaged_from"] = paths;
  meta["averaged_steps"] = steps;
  return meta;
}

}  // namespace automoe
