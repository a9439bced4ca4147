#include "model/subnet_extractor.h"

#include <stdexcept>

#include "arch/arch_config.h"

namespace automoe {

namespace {

// t[:s0, :s1, ...] for the sizes of `like`.
at::Tensor prefixSlice(const at::Tensor& t, at::IntArrayRef sizes, const std::string& name) {
  if (t.dim() != static_cast<int64_t>(sizes.size()))
    throw std::logic_error("extractSubnet: rank mismatch for " + name);
  at::Tensor s = t;
  for (int64_t d = 0; d < t.dim(); ++d) {
    if (sizes[d] > t.size(d)) throw std::logic_error("extractSubnet: " + name + " is too small");
    s = s.narrow(d, 0, sizes[d]);
  }
  return s;
}

}  // namespace

SuperTransformer extractSubnet(const SuperTransformerImpl& supernet, const ArchConfig& arch) {
  supernet.checkFits(arch);
  SuperTransformer sub(SuperTransformerOptions(ModelShape::forSubnet(arch, supernet.shape()),
                                               supernet.options.model()));
  const auto params = supernet.named_parameters(/*recurse=*/true);
  const auto buffers = supernet.named_buffers(/*recurse=*/true);
  const at::Tensor any = params.begin()->value();
  sub->to(any.device(), any.scalar_type());
  torch::NoGradGuard noGrad;
  for (auto& p : sub->named_parameters(true)) {
    const at::Tensor* src = params.find(p.key());
    if (!src) throw std::logic_error("extractSubnet: supernet has no parameter " + p.key());
    p.value().copy_(prefixSlice(*src, p.value().sizes(), p.key()));
  }
  for (auto& b : sub->named_buffers(true)) {
    const at::Tensor* src = buffers.find(b.key());
    if (!src) throw std::logic_error("extractSubnet: supernet has no buffer " + b.key());
    b.value().copy_(prefixSlice(*src, b.value().sizes(), b.key()));
  }
  sub->eval();
  return sub;
}

}  // namespace automoe
