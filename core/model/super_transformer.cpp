#include "model/super_transformer.h"

#include <memory>
#include <stdexcept>

#include "arch/arch_config.h"

namespace automoe {

SuperTransformerImpl::SuperTransformerImpl(const SuperTransformerOptions& o) : options(o) { reset(); }

void SuperTransformerImpl::reset() {
  const ModelShape& s = options.shape();
  const ModelOptions& m = options.model();
  // One CompeteSMoE schedule for all layers; the other MoE settings per layer (layer_routing).
  const auto competition = std::make_shared<CompetitionSchedule>();
  auto moeOptions = [&](bool decoder, int count) {
    std::vector<MoeOptions> out;
    for (int i = 0; i < count; ++i) {
      const ModelOptions l = m.forLayer(decoder, i);
      MoeOptions moe;
      moe.activationDropout = l.activationDropout;
      moe.router.capacityFactor = l.capacityFactor;
      moe.router.jitter = l.routerJitter;
      moe.router.balanceLossCoef = l.balanceLossCoef;
      moe.router.zLossCoef = l.zLossCoef;
      moe.router.options = l.routing;
      moe.router.competition = competition;
      out.push_back(std::move(moe));
    }
    return out;
  };
  const int64_t superDim = std::max(s.encoder.superEmbedDim, s.decoder.superEmbedDim);
  embed_tokens = register_module(
      "embed_tokens",
      SuperEmbedding(SuperEmbeddingOptions(s.vocabSize, s.embeddingDim()).init_dim(superDim)));
  encoder = register_module("encoder", SuperEncoder(s.encoder, s.qkvDim, s.maxPositions, m.dropout,
                                                    m.attentionDropout,
                                                    moeOptions(false, s.encoder.numLayers())));
  decoder = register_module("decoder", SuperDecoder(s.decoder, s.encoder.embedDim, s.qkvDim,
                                                    s.maxPositions, m.dropout, m.attentionDropout,
                                                    moeOptions(true, s.decoder.numLayers())));
}

void SuperTransformerImpl::checkFits(const ArchConfig& arch) const {
  const auto problems = options.shape().fitProblems(arch);
  if (problems.empty()) return;
  std::string msg = "the subnet does not fit this model:";
  for (const auto& p : problems) msg += "\n  - " + p;
  throw std::invalid_argument(msg);
}

EncoderOutput SuperTransformerImpl::encode(const at::Tensor& src, const ArchConfig& arch,
                                           MoeStats* stats, const ForwardContext& ctx) const {
  checkFits(arch);
  MoeStats local;
  return encoder->forward(src, arch.encoder, *embed_tokens, ctx, stats ? *stats : local);
}

ModelOutput SuperTransformerImpl::forward(const at::Tensor& src, const at::Tensor& prevOutput,
                                          const ArchConfig& arch, const ForwardContext& ctx) const {
  ModelOutput out;
  const EncoderOutput enc = encode(src, arch, &out.moe, ctx);
  const at::Tensor features =
      decoder->forward(prevOutput, enc, arch.decoder, *embed_tokens, nullptr, ctx, out.moe);
  out.logits = embed_tokens->project(features, arch.decoder.embedDim);  // [B, T, V]
  return out;
}

at::Tensor SuperTransformerImpl::decodeStep(const at::Tensor& tokens, const EncoderOutput& enc,
                                            const ArchConfig& arch, DecoderState& state) const {
  MoeStats stats;
  const at::Tensor features = decoder->forward(tokens, enc, arch.decoder, *embed_tokens, &state, {}, stats);
  const at::Tensor last = features.select(1, features.size(1) - 1);  // [B, t, d] -> [B, d]
  return embed_tokens->project(last, arch.decoder.embedDim);         // [B, V]
}

}  // namespace automoe
