#include "train/gloo_collective.h"

#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>

namespace automoe {

struct GlooCollective::Impl {
  c10::intrusive_ptr<::c10d::ProcessGroupGloo> group;
};

GlooCollective::GlooCollective(int rank, int worldSize, const std::string& storePath,
                               const std::string& hostname, int64_t bucketBytes)
    : m_impl(std::make_unique<Impl>()), m_rank(rank), m_world(worldSize), m_bucketBytes(bucketBytes) {
  auto store = c10::make_intrusive<::c10d::FileStore>(storePath, worldSize);
  auto options = ::c10d::ProcessGroupGloo::Options::create();
  options->devices.push_back(::c10d::ProcessGroupGloo::createDeviceForHostname(hostname));
  m_impl->group = c10::make_intrusive<::c10d::ProcessGroupGloo>(store, rank, worldSize, options);
}

GlooCollective::~GlooCollective() = default;

void GlooCollective::allReduceSum(std::vector<at::Tensor>& tensors) {
  size_t i = 0;
  while (i < tensors.size()) {
    // One bucket: consecutive tensors of one dtype up to bucketBytes (at least one tensor).
    size_t j = i;
    int64_t bytes = 0;
    std::vector<at::Tensor> flat;
    while (j < tensors.size() && tensors[j].scalar_type() == tensors[i].scalar_type() &&
           (j == i || bytes + tensors[j].numel() * tensors[j].element_size() <= m_bucketBytes)) {
      bytes += tensors[j].numel() * tensors[j].element_size();
      flat.push_back(tensors[j].reshape({-1}));  // [...] -> [numel]
      ++j;
    }
    std::vector<at::Tensor> buffer = {at::cat(flat)};
    m_impl->group->allreduce(buffer)->wait();
    ++m_calls;
    int64_t offset = 0;
    for (size_t k = i; k < j; ++k) {
      const int64_t n = tensors[k].numel();
      tensors[k].copy_(buffer[0].narrow(0, offset, n).view(tensors[k].sizes()));  // [n] -> shape
      offset += n;
    }
    i = j;
  }
}

void GlooCollective::allReduceMax(at::Tensor& tensor) {
  std::vector<at::Tensor> one = {tensor};
  ::c10d::AllreduceOptions options;
  options.reduceOp = ::c10d::ReduceOp::MAX;
  m_impl->group->allreduce(one, options)->wait();
  ++m_calls;
}

}  // namespace automoe
