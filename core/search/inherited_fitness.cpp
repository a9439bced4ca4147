#include "search/inherited_fitness.h"

#include <algorithm>
#include <stdexcept>

#include <ATen/core/grad_mode.h>
#include <c10/core/InferenceMode.h>

#include "arch/arch_config.h"
#include "model/bf16_autocast.h"
#include "model/few_row_linear.h"
#include "model/sinusoidal_positions.h"
#include "train/training_data.h"

namespace automoe {

namespace {

at::Device deviceOf(const SuperTransformerImpl& m) {
  const auto params = m.parameters();
  return params.empty() ? at::Device(at::kCPU) : params.front().device();
}

// A model sharing `src`'s embedding, norms and biases, with every other matrix (attention
// projections, experts, routers) stored once in bf16: autocast would otherwise convert each weight
// slice on every forward pass, which costs more than the bf16 matrix products themselves. The
// embedding stays fp32 (its rows start the fp32 residual stream; autocast casts it for the output
// projection).
SuperTransformer bf16WeightCopy(const SuperTransformer& src) {
  at::NoGradGuard noGrad;
  SuperTransformer dst(src->options);
  const auto from = src->named_parameters();
  for (auto& p : dst->named_parameters()) {
    const at::Tensor& s = from[p.key()];
    const bool matrix = s.dim() >= 2 && p.key() != "embed_tokens.weight";
    p.value().set_data(matrix ? s.to(at::kBFloat16) : s);
  }
  const auto buffers = src->named_buffers();
  for (auto& b : dst->named_buffers()) b.value().set_data(buffers[b.key()]);
  return dst;
}

}  // namespace

InheritedFitness::InheritedFitness(SuperTransformer supernet, const TrainingData& data,
                                   InheritedFitnessOptions options)
    : m_model(options.bf16 ? bf16WeightCopy(supernet) : std::move(supernet)), m_options(options) {
  m_model->eval();
  m_projection = m_model->embed_tokens->weight.detach();
  if (options.bf16) m_projection = m_projection.to(at::kBFloat16);  // converted once, not per pass
  const at::Device device = deviceOf(*m_model);
  const size_t n = std::min(static_cast<size_t>(std::max(options.validBatches, 0)), data.numValidBatches());
  if (n == 0) throw std::invalid_argument("InheritedFitness: the data has no validation batch");
  for (size_t i = 0; i < n; ++i) {
    const TrainBatch b = data.validBatch(i);
    CachedBatch c;
    c.src = b.src.to(device);
    c.prev = b.prevOutput.to(device);
    const at::Tensor flat = b.target.reshape({-1});                    // [B, T] -> [B*T]
    c.keep = flat.ne(kPadIndex).nonzero().reshape({-1}).to(device);  // [N, 1] -> [N]
    c.target = flat.index_select(0, c.keep.cpu()).to(device);        // [N]
    m_tokens += c.keep.size(0);
    m_batches.push_back(std::move(c));
  }
}

FitnessValue InheritedFitness::evaluate(const ArchConfig& arch) const {
  m_model->checkFits(arch);
  c10::InferenceMode inference;
  const Bf16Autocast autocast(m_options.bf16);
  const int64_t d = arch.decoder.embedDim;
  double nll = 0, smooth = 0;
  for (const CachedBatch& b : m_batches) {
    MoeStats stats;
    const EncoderOutput enc = m_model->encoder->forward(b.src, arch.encoder, *m_model->embed_tokens, {}, stats);
    const at::Tensor features =
        m_model->decoder->forward(b.prev, enc, arch.decoder, *m_model->embed_tokens, nullptr, {}, stats);  // [B, T, d]
    const at::Tensor rows = features.reshape({-1, d}).index_select(0, b.keep);  // [B*T, d] -> [N, d]
    // The tied output projection (SuperEmbedding::project: the first d embedding columns, no
    // bias), a block of rows at a time so that each block's logits stay in cache for the loss.
    const at::Tensor w = m_projection.narrow(1, 0, d);  // [V, d]
    const int64_t n = rows.size(0), block = m_options.bf16 ? 128 : 256;
    for (int64_t r = 0; r < n; r += block) {
      const int64_t len = std::min(block, n - r);
      const at::Tensor x = m_options.bf16 ? rows.narrow(0, r, len).to(at::kBFloat16) : rows.narrow(0, r, len);
      const at::Tensor logits = linearFewRows(x, w, {}).to(at::kFloat);                        // [len, V]
      const at::Tensor lse = at::logsumexp(logits, {1});                                      // [len]
      const at::Tensor picked = logits.gather(1, b.target.narrow(0, r, len).unsqueeze(1)).squeeze(1);  // [len, 1] -> [len]
      nll += (lse - picked).sum().item<double>();
      if (m_options.labelSmoothing > 0)  // -sum_v log p_v = V * lse - sum_v logit_v
        smooth += (lse * static_cast<double>(logits.size(1)) - logits.sum(1)).sum().item<double>();
    }
  }
  FitnessValue v;
  v.tokens = m_tokens;
  v.nll = nll / static_cast<double>(m_tokens);
  const double eps = m_options.labelSmoothing;
  const double V = static_cast<double>(m_model->shape().vocabSize);
  v.loss = eps > 0 ? ((1 - eps) * nll + eps / V * smooth) / static_cast<double>(m_tokens) : v.nll;
  return v;
}

}  // namespace automoe
