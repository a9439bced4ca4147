#include "model/super_embedding.h"

#include <cmath>

#include "model/slice_recorder.h"
#include "model/few_row_linear.h"

namespace automoe {

SuperEmbeddingImpl::SuperEmbeddingImpl(const SuperEmbeddingOptions& o) : options(o) { reset(); }

void SuperEmbeddingImpl::reset() {
  const double dim = options.init_dim() > 0 ? options.init_dim() : options.embedding_dim();
  weight = register_parameter(
      "weight", at::randn({options.num_embeddings(), options.embedding_dim()}) / std::sqrt(dim));
  torch::NoGradGuard noGrad;
  weight[options.padding_idx()].zero_();
}

at::Tensor SuperEmbeddingImpl::forward(const at::Tensor& tokens, int64_t dim) const {
  TORCH_CHECK(dim <= options.embedding_dim(), "SuperEmbedding: width ", dim, " > stored ",
              options.embedding_dim());
  const at::Tensor w = SliceRecorder::slice(weight, {weight.size(0), dim});  // [V, dim]
  // A recorded slice's gradient goes through SliceRecorder::boxGradients(), which adds sparse rows
  // into the dense box: the lookup's backward then touches only this batch's rows instead of
  // zero-filling a [V, dim] gradient (16k x 640 floats: 41 MB per lookup per step).
  const bool sparse = SliceRecorder::recording() && w.requires_grad();
  return at::embedding(w, tokens, options.padding_idx(), /*scale_grad_by_freq=*/false, sparse);
}

at::Tensor SuperEmbeddingImpl::project(const at::Tensor& features, int64_t dim) const {
  return linearFewRows(features, SliceRecorder::slice(weight, {weight.size(0), dim}), at::Tensor());
}

}  // namespace automoe
