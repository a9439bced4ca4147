#include "latency/huge_page_parameters.h"

#include <cstdint>
#include <memory>
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include "util/huge_page_memory.h"

namespace automoe {

namespace {

constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kAlign = 64;

size_t alignUp(size_t x, size_t a) { return (x + a - 1) / a * a; }

}  // namespace

long long moveParametersToHugePages(torch::nn::Module& module) {
  std::vector<at::Tensor> tensors;
  for (auto& p : module.parameters(/*recurse=*/true)) tensors.push_back(p);
  for (auto& b : module.buffers(/*recurse=*/true)) tensors.push_back(b);
  size_t total = 0;
  for (const auto& t : tensors) {
    if (!t.device().is_cpu() || !t.is_contiguous()) return 0;
    total += alignUp(t.nbytes(), kAlign);
  }
  if (total < kHugePage) return 0;
  const HugePageBlock block = mapHugePageMemory(total);
  if (!block.data) return 0;
  char* base = static_cast<char*>(block.data);
  const std::shared_ptr<void> arena = block.mapping;
  const at::NoGradGuard noGrad;
  size_t offset = 0;
  for (auto& t : tensors) {
    at::Tensor moved = at::from_blob(base + offset, t.sizes(), [arena](void*) {}, t.options());
    moved.copy_(t);
    t.set_data(moved);
    offset += alignUp(t.nbytes(), kAlign);
  }
  return static_cast<long long>(total);
}

}  // namespace automoe
