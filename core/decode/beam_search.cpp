#include "decode/beam_search.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "decode/decoder_stepper.h"

namespace automoe {

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

struct Beam {
  std::vector<int64_t> tokens;
  double score = kNegInf;  // cumulative log-probability; -inf marks an unused slot
};

struct Sentence {
  int64_t index = 0;         // position in the caller's batch
  std::vector<Beam> beams;   // exactly `beam` entries while live
};

struct Candidate {
  int64_t beam;
  int64_t token;
  double score;
};

at::Tensor longTensor(const std::vector<int64_t>& v, const at::Device& device) {
  return at::tensor(v, at::TensorOptions().dtype(at::kLong)).to(device);
}

}  // namespace

BeamSearch::BeamSearch(BeamSearchOptions options) : m_options(options) {
  if (m_options.beam < 1) throw std::invalid_argument("beam search: beam must be >= 1");
  if (m_options.maxLen < 1) throw std::invalid_argument("beam search: maxLen must be >= 1");
  if (m_options.forcedLength < 0)
    throw std::invalid_argument("beam search: forcedLength must be >= 0");
}

BeamSearchResult BeamSearch::run(DecoderStepper& stepper, int64_t batch) const {
  const int64_t K = m_options.beam;
  const bool forced = m_options.forcedLength > 0;
  const int64_t limit = forced ? m_options.forcedLength : m_options.maxLen;
  const int64_t eos = m_options.eos;
  BeamSearchResult result;
  result.sentences.resize(batch);
  if (batch == 0) return result;

  // Expand every sentence to K rows; only the first starts live (all K would be identical).
  std::vector<Sentence> live(batch);
  std::vector<int64_t> order;
  for (int64_t b = 0; b < batch; ++b) {
    live[b].index = b;
    live[b].beams.resize(K);
    live[b].beams[0].score = 0;
    for (int64_t k = 0; k < K; ++k) order.push_back(b);
  }
  const at::Device device = stepper.device();
  stepper.reorder(longTensor(order, device));
  std::vector<int64_t> lastTokens(batch * K, eos);

  auto finish = [&](int64_t sentence, std::vector<int64_t> tokens, double logProb) {
    Hypothesis h;
    h.logProb = logProb;
    h.score = logProb / std::pow(static_cast<double>(tokens.size()), m_options.lenPenalty);
    h.tokens = std::move(tokens);
    result.sentences[sentence].push_back(std::move(h));
  };

  for (int64_t t = 0; t < limit && !live.empty(); ++t) {
    const int64_t A = static_cast<int64_t>(live.size()), R = A * K;
    at::Tensor tokens = longTensor(lastTokens, device).view({R, 1});  // [R] -> [R, 1]
    at::Tensor lprobs = stepper.step(tokens).to(at::kFloat);           // [R, V]
    ++result.steps;
    const int64_t V = lprobs.size(1);
    lprobs.select(1, m_options.pad).fill_(kNegInf);
    if (forced) {
      lprobs.select(1, eos).fill_(kNegInf);
    } else if (t == limit - 1) {
      const at::Tensor eosColumn = lprobs.select(1, eos).clone();  // [R]
      lprobs.fill_(kNegInf);
      lprobs.select(1, eos).copy_(eosColumn);
    }
    std::vector<float> prev;
    for (const auto& s : live)
      for (const auto& b : s.beams) prev.push_back(static_cast<float>(b.score));
    const at::Tensor prevScores = at::tensor(prev).to(lprobs.device());            // [R]
    const at::Tensor cand = (lprobs + prevScores.unsqueeze(1)).view({A, K * V});   // [R, V] -> [A, K*V]
    const int64_t nc = std::min<int64_t>(2 * K, K * V);
    auto top = at::topk(cand, nc, /*dim=*/1, /*largest=*/true, /*sorted=*/true);
    const at::Tensor values = std::get<0>(top).to(at::kCPU, at::kDouble).contiguous();  // [A, nc]
    const at::Tensor indices = std::get<1>(top).to(at::kCPU).contiguous();             // [A, nc]
    const double* val = values.data_ptr<double>();
    const int64_t* idx = indices.data_ptr<int64_t>();

    std::vector<Sentence> next;
    order.clear();
    lastTokens.clear();
    for (int64_t a = 0; a < A; ++a) {
      Sentence& s = live[a];
      if (std::isnan(val[a * nc]))
        throw NonFiniteScores(s.index, t, "log-probabilities are NaN at output position " + std::to_string(t + 1));
      std::vector<Candidate> chosen;
      for (int64_t c = 0; c < nc; ++c) {
        const double v = val[a * nc + c];
        if (v == kNegInf) break;
        const int64_t beam = idx[a * nc + c] / V, token = idx[a * nc + c] % V;
        if (!forced && token == eos) {
          if (c < K && static_cast<int64_t>(result.sentences[s.index].size()) < K) {
            std::vector<int64_t> toks = s.beams[beam].tokens;
            toks.push_back(eos);
            finish(s.index, std::move(toks), v);
          }
          continue;
        }
        if (static_cast<int64_t>(chosen.size()) < K) chosen.push_back({beam, token, v});
      }
      const bool lastStep = t == limit - 1;
      if (forced && lastStep)
        for (const auto& c : chosen) {
          std::vector<int64_t> toks = s.beams[c.beam].tokens;
          toks.push_back(c.token);
          finish(s.index, std::move(toks), c.score);
        }
      const bool done = lastStep || chosen.empty() ||
                        static_cast<int64_t>(result.sentences[s.index].size()) >= K;
      if (done) continue;
      Sentence ns;
      ns.index = s.index;
      for (int64_t k = 0; k < K; ++k) {
        // Fewer valid continuations than K (tiny vocabularies): pad with dead copies.
        const bool valid = k < static_cast<int64_t>(chosen.size());
        const Candidate& c = chosen[valid ? k : 0];
        Beam b;
        b.tokens = s.beams[c.beam].tokens;
        b.tokens.push_back(c.token);
        b.score = valid ? c.score : kNegInf;
        ns.beams.push_back(std::move(b));
        order.push_back(a * K + c.beam);
        lastTokens.push_back(c.token);
      }
      next.push_back(std::move(ns));
    }
    live = std::move(next);
    if (!live.empty()) stepper.reorder(longTensor(order, device));
  }
  for (size_t b = 0; b < result.sentences.size(); ++b)
    if (result.sentences[b].empty())  // only -inf scores were left (overflowing weights)
      throw NonFiniteScores(static_cast<int64_t>(b), result.steps,
                            "no hypothesis ended with a finite log-probability");
  for (auto& hyps : result.sentences)
    std::stable_sort(hyps.begin(), hyps.end(),
                     [](const Hypothesis& x, const Hypothesis& y) { return x.score > y.score; });
  return result;
}

}  // namespace automoe
