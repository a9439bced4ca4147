#include "eval/translator.h"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <stdexcept>

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include "data/tokenizer_client.h"
#include "decode/beam_search.h"
#include "decode/model_stepper.h"
#include "eval/evaluation_options.h"
#include "model/sinusoidal_positions.h"
#include "model/super_transformer.h"
#include "util/config_error.h"
#include "util/stop_token.h"

namespace automoe {

namespace {

// "the largest |weight| is X, in NAME" (or that a weight is NaN or infinite): where a model whose
// scores are not finite went wrong.
std::string largestWeight(const SuperTransformerImpl& model) {
  std::string name;
  double largest = -1;
  for (const auto& p : model.named_parameters()) {
    if (!p.value().is_floating_point() || p.value().numel() == 0) continue;
    const at::Tensor v = p.value().detach();
    if (!at::isfinite(v).all().item<bool>()) return "weight " + p.key() + " holds NaN or infinite values";
    const double m = v.abs().max().item<double>();
    if (m > largest) largest = m, name = p.key();
  }
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3g", largest);
  return "the largest |weight| is " + std::string(buffer) + ", in " + name;
}

}  // namespace

TranslatorOptions TranslatorOptions::from(const EvaluationOptions& e) {
  TranslatorOptions o;
  o.beam = e.beam;
  o.lenPenalty = e.lenPenalty;
  o.maxLenA = e.maxLenA;
  o.maxLenB = e.maxLenB;
  o.batchSize = e.batchSize;
  return o;
}

Translator::Translator(const SuperTransformerImpl& model, ArchConfig arch, TranslatorOptions options)
    : m_model(model), m_arch(std::move(arch)), m_options(options) {
  if (m_options.beam < 1 || m_options.batchSize < 1)
    throw std::invalid_argument("Translator: beam and batch size must be >= 1");
  m_model.checkFits(m_arch);
}

int Translator::maxLenFor(int64_t srcLen) const {
  const int64_t positions = m_model.shape().maxPositions;
  const int64_t fairseqMax = static_cast<int64_t>(m_options.maxLenA * static_cast<double>(srcLen) + m_options.maxLenB);
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(fairseqMax + 1, positions)));
}

std::optional<Translator::Ids> Translator::translateIds(const Ids& sources, const StopToken& stop,
                                                        const Progress& progress) const {
  std::vector<size_t> order(sources.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return sources[a].size() > sources[b].size(); });
  const size_t maxSrc = static_cast<size_t>(std::max(1, m_model.shape().maxPositions - 1));
  const at::Device device = m_model.parameters().front().device();
  Ids out(sources.size());
  const c10::InferenceMode inference;
  const auto clipped = [&](size_t i) { return std::min(sources[order[i]].size(), maxSrc); };
  for (size_t start = 0, end = 0; start < order.size(); start = end) {
    if (stop.stopRequested()) return std::nullopt;
    // A batch: up to batchSize sentences (longest first) whose own length limit equals the
    // first's, so every sentence gets the limit it would get alone.
    const int limit = maxLenFor(static_cast<int64_t>(clipped(start)) + 1);
    end = start + 1;
    while (end < order.size() && end - start < static_cast<size_t>(m_options.batchSize) &&
           maxLenFor(static_cast<int64_t>(clipped(end)) + 1) == limit)
      ++end;
    const int64_t batch = static_cast<int64_t>(end - start);
    const size_t longest = clipped(start);
    const int64_t srcLen = static_cast<int64_t>(longest) + 1;  // + EOS
    at::Tensor src = at::full({batch, srcLen}, kPadIndex, at::kLong);  // [B, S] right-padded
    auto acc = src.accessor<int64_t, 2>();
    for (int64_t b = 0; b < batch; ++b) {
      const auto& s = sources[order[start + static_cast<size_t>(b)]];
      if (s.size() > maxSrc) ++m_truncated;
      const size_t n = std::min(s.size(), maxSrc);
      for (size_t t = 0; t < n; ++t) acc[b][static_cast<int64_t>(t)] = s[t];
      acc[b][static_cast<int64_t>(n)] = kEosIndex;
    }
    src = src.to(device);
    BeamSearchOptions bo;
    bo.beam = m_options.beam;
    bo.lenPenalty = m_options.lenPenalty;
    bo.maxLen = limit;
    ModelStepper stepper(m_model, m_arch, m_model.encode(src, m_arch));
    BeamSearchResult r;
    try {
      r = BeamSearch(bo).run(stepper, batch);
    } catch (const NonFiniteScores& e) {
      throw ConfigError("the model's scores are not finite on input sentence " +
                        std::to_string(order[start + static_cast<size_t>(e.sentence())] + 1) + " (" + e.what() +
                        "); its weights are damaged or too large: " + largestWeight(m_model));
    }
    for (int64_t b = 0; b < batch; ++b) {
      std::vector<int32_t>& dst = out[order[start + static_cast<size_t>(b)]];
      for (int64_t tok : r.sentences[static_cast<size_t>(b)].front().tokens)
        if (tok != kEosIndex) dst.push_back(static_cast<int32_t>(tok));
    }
    if (progress) progress(end, order.size());
  }
  return out;
}

std::optional<std::vector<std::string>> Translator::translate(const TokenizerClient& tokenizer,
                                                              const std::vector<std::string>& lines,
                                                              const StopToken& stop,
                                                              const Progress& progress) const {
  const Ids ids = tokenizer.encode(lines);
  const auto hyps = translateIds(ids, stop, progress);
  if (!hyps) return std::nullopt;
  return tokenizer.decode(*hyps);
}

}  // namespace automoe
