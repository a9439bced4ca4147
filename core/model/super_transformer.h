#pragma once
// The weight-sharing encoder-decoder SuperTransformer with heterogeneous MoE layers. The subnet to
// run is an argument of every call (no sampled-config state), so one model can serve the trainer,
// the search and the profiler, and a standalone subnet is the same class with an exact shape.
#include <ATen/ATen.h>
#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "model/decoder_state.h"
#include "model/encoder_output.h"
#include "model/model_shape.h"
#include "model/moe_stats.h"
#include "model/super_decoder.h"
#include "model/super_embedding.h"
#include "model/super_encoder.h"
#include "project/model_options.h"

namespace automoe {

struct ArchConfig;

struct SuperTransformerOptions {
  SuperTransformerOptions(ModelShape shape, ModelOptions model)
      : shape_(std::move(shape)), model_(std::move(model)) {}
  TORCH_ARG(ModelShape, shape);
  TORCH_ARG(ModelOptions, model);
};

struct ModelOutput {
  at::Tensor logits;  // [B, T, V]
  MoeStats moe;
};

class SuperTransformerImpl : public torch::nn::Module {
 public:
  explicit SuperTransformerImpl(const SuperTransformerOptions& options);
  void reset();

  // Teacher-forced pass. src [B, S], prevOutput [B, T] (target shifted right, starting with EOS),
  // both right-padded with kPadIndex.
  ModelOutput forward(const at::Tensor& src, const at::Tensor& prevOutput, const ArchConfig& arch,
                      const ForwardContext& ctx = {}) const;

  EncoderOutput encode(const at::Tensor& src, const ArchConfig& arch, MoeStats* stats = nullptr,
                       const ForwardContext& ctx = {}) const;
  // Incremental decoding: tokens [B, t] are the next position(s) (usually t = 1); returns the
  // logits of the last one, [B, V]. `state` carries the caches between calls.
  at::Tensor decodeStep(const at::Tensor& tokens, const EncoderOutput& encoder, const ArchConfig& arch,
                        DecoderState& state) const;

  // Throws std::invalid_argument listing what does not fit if `arch` cannot run on this model.
  void checkFits(const ArchConfig& arch) const;

  const ModelShape& shape() const { return options.shape(); }

  SuperTransformerOptions options;
  SuperEmbedding embed_tokens{nullptr};
  SuperEncoder encoder{nullptr};
  SuperDecoder decoder{nullptr};
};
TORCH_MODULE(SuperTransformer);

}  // namespace automoe
