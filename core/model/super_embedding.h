#pragma once
// Token embedding shared by encoder input, decoder input and the output projection; a subnet of
// width d uses the first d columns (HAT's EmbeddingSuper).
#include <ATen/ATen.h>
#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace automoe {

struct SuperEmbeddingOptions {
  SuperEmbeddingOptions(int64_t numEmbeddings, int64_t embeddingDim)
      : num_embeddings_(numEmbeddings), embedding_dim_(embeddingDim) {}
  TORCH_ARG(int64_t, num_embeddings);
  TORCH_ARG(int64_t, embedding_dim);
  TORCH_ARG(int64_t, padding_idx) = 1;
  TORCH_ARG(int64_t, init_dim) = 0;  // width whose 1/sqrt sets the init std (0: embedding_dim)
};

class SuperEmbeddingImpl : public torch::nn::Module {
 public:
  explicit SuperEmbeddingImpl(const SuperEmbeddingOptions& options);
  void reset();

  // tokens [B, T] int64 -> [B, T, dim]
  at::Tensor forward(const at::Tensor& tokens, int64_t dim) const;
  // features [..., dim] -> logits [..., vocab] (weight tied to the embedding)
  at::Tensor project(const at::Tensor& features, int64_t dim) const;

  SuperEmbeddingOptions options;
  at::Tensor weight;  // [vocab, embedding_dim]
};
TORCH_MODULE(SuperEmbedding);

}  // namespace automoe
