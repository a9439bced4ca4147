#pragma once
// Collective operations over torch c10d's ProcessGroupGloo (CPU; TCP on 127.0.0.1 by default),
// rendezvous through a c10d FileStore. Gradients are bucketed: tensors are flattened into buffers
// of up to bucketBytes and each buffer is reduced with one allreduce call.
#include <memory>
#include <string>

#include "train/collective.h"

namespace automoe {

class GlooCollective final : public Collective {
 public:
  GlooCollective(int rank, int worldSize, const std::string& storePath,
                 const std::string& hostname = "127.0.0.1", int64_t bucketBytes = 25 << 20);
  ~GlooCollective() override;

  int rank() const override { return m_rank; }
  int worldSize() const override { return m_world; }
  void allReduceSum(std::vector<at::Tensor>& tensors) override;
  void allReduceMax(at::Tensor& tensor) override;
  int64_t allReduceCalls() const { return m_calls; }

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
  int m_rank, m_world;
  int64_t m_bucketBytes;
  int64_t m_calls = 0;
};

}  // namespace automoe
