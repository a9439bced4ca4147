#pragma once
// Collective operations over torch c10d: ProcessGroupGloo (CPU or CUDA tensors; TCP on 127.0.0.1
// by default; needs gloo's headers at build time) or ProcessGroupNCCL (CUDA; one GPU per rank, compiled in only when the LibTorch
// build has NCCL, as the PyTorch wheels do and Debian's CPU LibTorch does not). Rendezvous goes
// through a c10d FileStore. Gradients are bucketed: tensors are flattened into buffers of up to
// bucketBytes and each buffer is reduced with one allreduce call.
#include <memory>
#include <string>

#include "train/collective.h"

namespace automoe {

enum class CollectiveBackend { Gloo, Nccl };

class C10dCollective final : public Collective {
 public:
  C10dCollective(CollectiveBackend backend, int rank, int worldSize, const std::string& storePath,
                 const std::string& hostname = "127.0.0.1", int64_t bucketBytes = 25 << 20);
  ~C10dCollective() override;

  int rank() const override { return m_rank; }
  int worldSize() const override { return m_world; }
  std::string backendName() const override;
  void allReduceSum(std::vector<at::Tensor>& tensors) override;
  void allReduceMax(at::Tensor& tensor) override;
  int64_t allReduceCalls() const { return m_calls; }

  // Whether this build can run Gloo (c10d's Gloo headers and gloo's found at build time; the
  // PyTorch wheels ship the former only) and NCCL (LibTorch with CUDA and c10d's NCCL backend).
  static bool glooCompiledIn();
  static bool ncclCompiledIn();
  // "gloo", "nccl" or "auto" -> a backend for ranks training on `cudaTraining` devices: auto is
  // NCCL when it is compiled in, training runs on CUDA and there is a GPU per rank, else Gloo.
  // Throws ConfigError naming `field` for an unknown name.
  static CollectiveBackend choose(const std::string& name, bool cudaTraining, int worldSize,
                                  const std::string& field);

 private:
  void reduce(at::Tensor& flat, bool max);

  struct Impl;
  std::unique_ptr<Impl> m_impl;
  CollectiveBackend m_backend;
  int m_rank, m_world;
  int64_t m_bucketBytes;
  int64_t m_calls = 0;
};

}  // namespace automoe
