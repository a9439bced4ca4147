#pragma once
// Beam search over any DecoderStepper, following fairseq's SequenceGenerator (the decoder of
// AutoMoE/HAT's evaluation): every sentence keeps `beam` live hypotheses; each step takes the best
// 2 x beam (hypothesis, token) continuations; an EOS among the best `beam` finishes a hypothesis
// with the score sum(log p) / length^lenPenalty (length counts the EOS); a sentence is done when
// it has `beam` finished hypotheses, and is then dropped from the batch. At maxLen the EOS is
// forced. Padding is never generated.
//
// forcedLength > 0 is the latency protocol: EOS can never be chosen, every sentence runs exactly
// forcedLength steps, and the live beams at the end are the hypotheses (no EOS appended).
//
// A model whose scores are NaN (damaged or overflowing weights) gets NonFiniteScores, not an empty
// or arbitrary result: found from the best candidate of each row (topk sorts NaN first), so the
// check costs no pass over the scores.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace automoe {

class DecoderStepper;

struct BeamSearchOptions {
  int beam = 5;
  int maxLen = 200;          // output tokens per hypothesis, EOS included
  double lenPenalty = 1.0;   // fairseq --lenpen; AutoMoE's test.sh uses 0.6
  int forcedLength = 0;      // > 0: exactly this many steps, EOS disabled
  int64_t eos = 2;           // kEosIndex; also the first input token of every row
  int64_t pad = 1;           // kPadIndex; never generated
};

struct Hypothesis {
  std::vector<int64_t> tokens;  // generated tokens (ending with EOS unless forced)
  double logProb = 0;           // sum of the tokens' log-probabilities
  double score = 0;             // logProb / tokens.size()^lenPenalty
};

struct BeamSearchResult {
  std::vector<std::vector<Hypothesis>> sentences;  // per input sentence, best score first
  int64_t steps = 0;                               // decoder steps run (calls to step())
};

// The model gave NaN log-probabilities, or no hypothesis of a sentence ended with a finite score.
class NonFiniteScores : public std::runtime_error {
 public:
  NonFiniteScores(int64_t sentence, int64_t step, const std::string& what)
      : std::runtime_error(what), m_sentence(sentence), m_step(step) {}
  int64_t sentence() const { return m_sentence; }  // in the batch given to run()
  int64_t step() const { return m_step; }

 private:
  int64_t m_sentence, m_step;
};

class BeamSearch {
 public:
  // Throws std::invalid_argument for a beam < 1, maxLen < 1 or negative forcedLength.
  explicit BeamSearch(BeamSearchOptions options);

  // `stepper` holds one row per sentence (batch rows); the search expands them to beam rows. Every
  // sentence gets at least one hypothesis, or NonFiniteScores is thrown.
  BeamSearchResult run(DecoderStepper& stepper, int64_t batch) const;

  const BeamSearchOptions& options() const { return m_options; }

 private:
  BeamSearchOptions m_options;
};

}  // namespace automoe
