#include "train/c10d_collective.h"

#include <functional>

#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/Types.hpp>
#include <torch/cuda.h>
#ifdef AUTOMOE_HAVE_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef AUTOMOE_HAVE_NCCL
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include "train/collective_error.h"
#include "util/config_error.h"

namespace automoe {

struct C10dCollective::Impl {
  // One allreduce, waited for. (LibTorch 1.13 and 2.x differ in the process-group base class and
  // the work type; a closure over the concrete group avoids naming either.)
  std::function<void(std::vector<at::Tensor>&, const ::c10d::AllreduceOptions&)> allreduce;
  at::Device device = at::kCPU;  // where the backend needs the tensors (NCCL: this rank's GPU)
};

namespace {

constexpr const char* kNoGloo =
    "this build has no Gloo backend (c10d's Gloo headers need gloo's own: on Debian, libgloo-dev)";

std::string ncclGpuShortage(int worldSize, int gpus) {
  return "NCCL needs one GPU per rank: world size " + std::to_string(worldSize) + " but " + std::to_string(gpus) +
         " CUDA device(s) visible; use the gloo backend";
}

template <typename Group>
std::function<void(std::vector<at::Tensor>&, const ::c10d::AllreduceOptions&)> allreduceOf(
    c10::intrusive_ptr<Group> group) {
  return [group](std::vector<at::Tensor>& tensors, const ::c10d::AllreduceOptions& options) {
    group->allreduce(tensors, options)->wait();
  };
}

}  // namespace

C10dCollective::C10dCollective(CollectiveBackend backend, int rank, int worldSize, const std::string& storePath,
                               const std::string& hostname, int64_t bucketBytes)
    : m_impl(std::make_unique<Impl>()), m_backend(backend), m_rank(rank), m_world(worldSize), m_bucketBytes(bucketBytes) {
  if (backend == CollectiveBackend::Nccl) {
#ifdef AUTOMOE_HAVE_NCCL
    const int gpus = torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0;
    if (gpus < worldSize) throw ConfigError(ncclGpuShortage(worldSize, gpus));
    m_impl->device = at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(rank));
    c10::cuda::set_device(static_cast<c10::DeviceIndex>(rank));
    auto store = c10::make_intrusive<::c10d::FileStore>(storePath, worldSize);
    m_impl->allreduce = allreduceOf(c10::make_intrusive<::c10d::ProcessGroupNCCL>(store, rank, worldSize));
    return;
#else
    throw ConfigError("this build has no NCCL (its LibTorch lacks CUDA or c10d's NCCL backend); use the gloo backend");
#endif
  }
#ifdef AUTOMOE_HAVE_GLOO
  auto store = c10::make_intrusive<::c10d::FileStore>(storePath, worldSize);
  auto options = ::c10d::ProcessGroupGloo::Options::create();
  options->devices.push_back(::c10d::ProcessGroupGloo::createDeviceForHostname(hostname));
  m_impl->allreduce = allreduceOf(c10::make_intrusive<::c10d::ProcessGroupGloo>(store, rank, worldSize, options));
#else
  (void)hostname;
  throw ConfigError(kNoGloo);
#endif
}

C10dCollective::~C10dCollective() = default;

std::string C10dCollective::backendName() const { return m_backend == CollectiveBackend::Nccl ? "nccl" : "gloo"; }

bool C10dCollective::glooCompiledIn() {
#ifdef AUTOMOE_HAVE_GLOO
  return true;
#else
  return false;
#endif
}

bool C10dCollective::ncclCompiledIn() {
#ifdef AUTOMOE_HAVE_NCCL
  return true;
#else
  return false;
#endif
}

CollectiveBackend C10dCollective::choose(const std::string& name, bool cudaTraining, int worldSize,
                                         const std::string& field) {
  if (name == "gloo") {
    if (!glooCompiledIn()) throw ConfigError(field + " is \"gloo\", but " + kNoGloo);
    return CollectiveBackend::Gloo;
  }
  const int gpus = torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0;
  if (name == "nccl") {
    if (!ncclCompiledIn())
      throw ConfigError(field + " is \"nccl\", but this build has no NCCL (its LibTorch lacks CUDA or c10d's "
                        "NCCL backend); use \"gloo\"");
    if (gpus < worldSize) throw ConfigError(field + " is \"nccl\", but " + ncclGpuShortage(worldSize, gpus));
    return CollectiveBackend::Nccl;
  }
  if (name == "auto") {
    const bool gpuPerRank = gpus >= worldSize;
    if (ncclCompiledIn() && cudaTraining && gpuPerRank) return CollectiveBackend::Nccl;
    if (!glooCompiledIn())
      throw ConfigError(field + " is \"auto\": NCCL does not apply here (" +
                        (cudaTraining ? "fewer GPUs than ranks" : "training on the CPU") + ") and " + kNoGloo);
    return CollectiveBackend::Gloo;
  }
  throw ConfigError(field + ": expected \"auto\", \"gloo\" or \"nccl\", got \"" + name + "\"");
}

void C10dCollective::reduce(at::Tensor& flat, bool max) {
  ::c10d::AllreduceOptions options;
  options.reduceOp = max ? ::c10d::ReduceOp::MAX : ::c10d::ReduceOp::SUM;
  const bool move = m_backend == CollectiveBackend::Nccl && flat.device() != m_impl->device;
  std::vector<at::Tensor> one = {move ? flat.to(m_impl->device) : flat};
  try {
    m_impl->allreduce(one, options);
  } catch (const std::exception& e) {
    throw CollectiveError("rank " + std::to_string(m_rank) + " of " + std::to_string(m_world) + ": allreduce over " +
                          backendName() + " failed (a peer rank ended or its connection broke): " + e.what());
  }
  if (move) flat.copy_(one[0]);
  ++m_calls;
}

void C10dCollective::allReduceSum(std::vector<at::Tensor>& tensors) {
  size_t i = 0;
  while (i < tensors.size()) {
    // One bucket: consecutive tensors of one dtype and device up to bucketBytes (at least one).
    size_t j = i;
    int64_t bytes = 0;
    std::vector<at::Tensor> flat;
    while (j < tensors.size() && tensors[j].scalar_type() == tensors[i].scalar_type() &&
           tensors[j].device() == tensors[i].device() &&
           (j == i || bytes + tensors[j].numel() * tensors[j].element_size() <= m_bucketBytes)) {
      bytes += tensors[j].numel() * tensors[j].element_size();
      flat.push_back(tensors[j].reshape({-1}));  // [...] -> [numel]
      ++j;
    }
    at::Tensor buffer = at::cat(flat);
    reduce(buffer, false);
    int64_t offset = 0;
    for (size_t k = i; k < j; ++k) {
      const int64_t n = tensors[k].numel();
      tensors[k].copy_(buffer.narrow(0, offset, n).view(tensors[k].sizes()));  // [n] -> shape
      offset += n;
    }
    i = j;
  }
}

void C10dCollective::allReduceMax(at::Tensor& tensor) {
  if (tensor.is_contiguous()) {
    reduce(tensor, true);
    return;
  }
  at::Tensor c = tensor.contiguous();
  reduce(c, true);
  tensor.copy_(c);
}

}  // namespace automoe
