// BeamSearch: fairseq semantics (beam 1 = greedy, sorted hypotheses, EOS finishing, length
// penalty, forced EOS at maxLen), the latency protocol's forced length, correct reordering of the
// decoder state, and batch independence on the real model.
#include <QtTest/QtTest>

#include <cmath>
#include <functional>
#include <limits>
#include <map>

#include "arch/arch_config.h"
#include "decode/beam_search.h"
#include "decode/decoder_stepper.h"
#include "decode/model_stepper.h"
#include "model/sinusoidal_positions.h"
#include "model/super_transformer.h"
#include "support/tiny_space.h"
#include "util/rng.h"

using namespace automoe;

namespace {

constexpr int64_t kPad = 1, kEos = 2;

// A language model given as a function of the whole prefix (per sentence), so a wrong reorder of
// the rows changes the scores. Keeps each row's prefix itself, like a KV cache.
class PrefixStepper final : public DecoderStepper {
 public:
  using Scorer = std::function<std::vector<double>(int64_t sentence, const std::vector<int64_t>& prefix)>;
  PrefixStepper(int64_t batch, Scorer scorer) : m_scorer(std::move(scorer)) {
    for (int64_t b = 0; b < batch; ++b) m_rows.push_back({b, {}});
  }
  at::Tensor step(const at::Tensor& tokens) override {
    ++calls;
    if (tokens.size(0) != static_cast<int64_t>(m_rows.size())) rowMismatch = true;
    std::vector<at::Tensor> out;
    for (size_t r = 0; r < m_rows.size(); ++r) {
      const int64_t t = tokens[r][0].item<int64_t>();
      if (!(m_rows[r].prefix.empty() && t == kEos)) m_rows[r].prefix.push_back(t);
      const std::vector<double> logits = m_scorer(m_rows[r].sentence, m_rows[r].prefix);
      out.push_back(at::log_softmax(at::tensor(logits, at::kDouble), 0).to(at::kFloat));
    }
    return at::stack(out);  // R x [V] -> [R, V]
  }
  void reorder(const at::Tensor& order) override {
    std::vector<Row> next;
    for (int64_t i = 0; i < order.size(0); ++i) next.push_back(m_rows[order[i].item<int64_t>()]);
    m_rows = std::move(next);
  }
  int calls = 0;
  bool rowMismatch = false;

 private:
  struct Row {
    int64_t sentence;
    std::vector<int64_t> prefix;
  };
  Scorer m_scorer;
  std::vector<Row> m_rows;
};

// Pseudo-random logits over 7 tokens from a hash of (sentence, prefix).
std::vector<double> hashedLogits(int64_t sentence, const std::vector<int64_t>& prefix) {
  uint64_t h = static_cast<uint64_t>(sentence) * 7919 + 17;
  for (int64_t t : prefix) h = mixSeed(h, static_cast<uint64_t>(t));
  Rng rng(h);
  std::vector<double> v(7);
  for (double& x : v) x = 3.0 * rng.uniform01();
  v[kEos] -= 1.0;  // keep hypotheses going for a few steps
  return v;
}

double logProbOf(const PrefixStepper::Scorer& scorer, int64_t sentence,
                 const std::vector<int64_t>& tokens) {
  double sum = 0;
  std::vector<int64_t> prefix;
  for (int64_t t : tokens) {
    const at::Tensor lp = at::log_softmax(at::tensor(scorer(sentence, prefix), at::kDouble), 0);
    sum += lp[t].item<double>();
    prefix.push_back(t);
  }
  return sum;
}

}  // namespace

class TestBeamSearch final : public QObject {
  Q_OBJECT

  SearchSpace m_space = test::tinySpace();

  SuperTransformer makeNet() {
    const ModelOptions o = test::tinyModelOptions();
    at::manual_seed(11);
    SuperTransformer net(SuperTransformerOptions(ModelShape::forSupernet(m_space, o), o));
    net->eval();
    return net;
  }

  static at::Tensor source(int64_t batch, int64_t len, uint64_t seed) {
    at::manual_seed(seed);
    return at::randint(4, 50, {batch, len}, at::kLong);
  }

 private Q_SLOTS:
  void rejectsBadOptions() {
    BeamSearchOptions o;
    o.beam = 0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, BeamSearch{o});
    o.beam = 2;
    o.maxLen = 0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, BeamSearch{o});
  }

  void beamOneIsGreedyArgmax() {
    SuperTransformer net = makeNet();
    torch::NoGradGuard noGrad;
    Rng rng(4);
    for (int i = 0; i < 8; ++i) {
      const ArchConfig arch = m_space.sample(rng);
      const at::Tensor src = source(1, 6, 100 + i);
      // Reference: argmax of the logits (padding excluded) until EOS or maxLen tokens.
      const int maxLen = 7;
      std::vector<int64_t> greedy;
      double logProb = 0;
      {
        const EncoderOutput enc = net->encode(src, arch);
        DecoderState state;
        int64_t last = kEos;
        for (int t = 0; t < maxLen; ++t) {
          at::Tensor lp = at::log_softmax(
              net->decodeStep(at::full({1, 1}, last, at::kLong), enc, arch, state), -1)[0];
          lp[kPad] = -INFINITY;
          if (t == maxLen - 1) last = kEos;
          else last = lp.argmax().item<int64_t>();
          logProb += lp[last].item<double>();
          greedy.push_back(last);
          if (last == kEos) break;
        }
      }
      BeamSearchOptions o;
      o.beam = 1;
      o.maxLen = maxLen;
      o.lenPenalty = 0.6;
      ModelStepper stepper(*net, arch, net->encode(src, arch));
      const BeamSearchResult r = BeamSearch(o).run(stepper, 1);
      QCOMPARE(r.sentences.size(), size_t{1});
      QCOMPARE(r.sentences[0].size(), size_t{1});
      const Hypothesis& h = r.sentences[0][0];
      QCOMPARE(h.tokens, greedy);
      QVERIFY(std::abs(h.logProb - logProb) < 1e-4);
      QVERIFY(std::abs(h.score - logProb / std::pow(double(greedy.size()), 0.6)) < 1e-4);
    }
  }

  void hypothesesAreSortedScoredAndEndWithEos() {
    const PrefixStepper::Scorer scorer = hashedLogits;
    for (double lenPenalty : {0.0, 0.6, 1.0, 2.0}) {
      PrefixStepper stepper(3, scorer);
      BeamSearchOptions o;
      o.beam = 4;
      o.maxLen = 6;
      o.lenPenalty = lenPenalty;
      const BeamSearchResult r = BeamSearch(o).run(stepper, 3);
      QCOMPARE(r.sentences.size(), size_t{3});
      for (int64_t s = 0; s < 3; ++s) {
        const auto& hyps = r.sentences[s];
        QCOMPARE(hyps.size(), size_t{4});
        for (size_t i = 0; i < hyps.size(); ++i) {
          const Hypothesis& h = hyps[i];
          if (i > 0) QVERIFY(hyps[i - 1].score >= h.score);
          QVERIFY(!h.tokens.empty() && h.tokens.size() <= 6);
          QCOMPARE(h.tokens.back(), kEos);
          QCOMPARE(std::count(h.tokens.begin(), h.tokens.end(), kEos), 1L);
          QCOMPARE(std::count(h.tokens.begin(), h.tokens.end(), kPad), 0L);
          // The log-probability matches an independent rescoring of the tokens: the stepper's
          // rows were reordered with their hypotheses.
          QVERIFY(std::abs(h.logProb - logProbOf(scorer, s, h.tokens)) < 1e-4);
          QVERIFY(std::abs(h.score - h.logProb / std::pow(double(h.tokens.size()), lenPenalty)) < 1e-9);
        }
      }
      QVERIFY(stepper.calls <= 6);
      QVERIFY(!stepper.rowMismatch);
    }
  }

  void beamFindsWhatGreedyMisses() {
    // From the start: a (p 0.6) or b (0.4). After a nothing is likely; after b, EOS is (0.95).
    const PrefixStepper::Scorer scorer = [](int64_t, const std::vector<int64_t>& prefix) {
      std::vector<double> p(5, 1e-6);
      if (prefix.empty()) {
        p[3] = 0.6;
        p[4] = 0.4;
      } else if (prefix.back() == 4) {
        p[kEos] = 0.95;
        p[3] = 0.05;
      } else {
        p[kEos] = 0.3;
        p[3] = 0.35;
        p[4] = 0.35;
      }
      std::vector<double> logits;
      for (double x : p) logits.push_back(std::log(x));
      return logits;
    };
    BeamSearchOptions o;
    o.maxLen = 5;
    o.lenPenalty = 0.0;
    o.beam = 1;
    PrefixStepper g(1, scorer);
    const Hypothesis greedy = BeamSearch(o).run(g, 1).sentences[0][0];
    QCOMPARE(greedy.tokens.front(), int64_t{3});
    o.beam = 2;
    PrefixStepper b(1, scorer);
    const Hypothesis best = BeamSearch(o).run(b, 1).sentences[0][0];
    QCOMPARE(best.tokens, (std::vector<int64_t>{4, kEos}));
    QVERIFY(best.score > greedy.score);
    QVERIFY(std::abs(best.logProb - std::log(0.4 * 0.95)) < 1e-5);
  }

  void maxLenForcesEos() {
    // EOS is very unlikely: every hypothesis runs to maxLen and gets the forced EOS.
    const PrefixStepper::Scorer scorer = [](int64_t, const std::vector<int64_t>& prefix) {
      std::vector<double> v = {0.0, 0.0, -30.0, 1.0, 0.5, 0.2};
      v[3 + prefix.size() % 3] += 0.3;
      return v;
    };
    PrefixStepper stepper(2, scorer);
    BeamSearchOptions o;
    o.beam = 3;
    o.maxLen = 4;
    const BeamSearchResult r = BeamSearch(o).run(stepper, 2);
    QCOMPARE(r.steps, int64_t{4});
    for (const auto& hyps : r.sentences) {
      QCOMPARE(hyps.size(), size_t{3});
      for (const auto& h : hyps) {
        QCOMPARE(h.tokens.size(), size_t{4});
        QCOMPARE(h.tokens.back(), kEos);
      }
    }
  }

  // Scores that are not finite (a damaged or overflowing model): NonFiniteScores naming the
  // sentence of the batch and the step, never an empty or arbitrary result (an empty one crashed
  // the translator, which takes each sentence's first hypothesis).
  void nonFiniteScoresAreReported_data() {
    QTest::addColumn<bool>("nan");
    QTest::addColumn<int>("badStep");
    QTest::newRow("NaN at the first step") << true << 0;
    QTest::newRow("NaN at the third step") << true << 2;
    QTest::newRow("EOS at -inf through the last step") << false << 0;
  }
  void nonFiniteScoresAreReported() {
    QFETCH(bool, nan);
    QFETCH(int, badStep);
    const PrefixStepper::Scorer scorer = [&](int64_t sentence, const std::vector<int64_t>& prefix) {
      std::vector<double> v = hashedLogits(sentence, prefix);
      if (sentence == 1 && static_cast<int>(prefix.size()) >= badStep) {
        if (nan) v[4] = std::nan("");
        else v[kEos] = -std::numeric_limits<double>::infinity();  // EOS can never end sentence 1
      }
      return v;
    };
    PrefixStepper stepper(3, scorer);
    BeamSearchOptions o;
    o.beam = 2;
    o.maxLen = 6;
    try {
      BeamSearch(o).run(stepper, 3);
      QFAIL("expected NonFiniteScores");
    } catch (const NonFiniteScores& e) {
      QCOMPARE(e.sentence(), int64_t{1});
      if (nan) {
        QCOMPARE(e.step(), int64_t{badStep});
        QCOMPARE(QString(e.what()), QString("log-probabilities are NaN at output position %1").arg(badStep + 1));
      } else {
        QCOMPARE(QString(e.what()), QString("no hypothesis ended with a finite log-probability"));
      }
    }
    // The same search with finite scores gives every sentence its hypotheses.
    PrefixStepper fine(3, hashedLogits);
    for (const auto& hyps : BeamSearch(o).run(fine, 3).sentences) QCOMPARE(hyps.size(), size_t{2});
  }

  void forcedLengthRunsExactlyTSteps() {
    // EOS is the most likely token everywhere, yet the forced mode never stops.
    const PrefixStepper::Scorer scorer = [](int64_t s, const std::vector<int64_t>& prefix) {
      std::vector<double> v = hashedLogits(s, prefix);
      v[kEos] = 10.0;
      return v;
    };
    for (int T : {1, 5, 9}) {
      PrefixStepper stepper(2, scorer);
      BeamSearchOptions o;
      o.beam = 3;
      o.forcedLength = T;
      o.maxLen = 2;  // ignored in forced mode
      const BeamSearchResult r = BeamSearch(o).run(stepper, 2);
      QCOMPARE(r.steps, int64_t{T});
      QCOMPARE(stepper.calls, T);
      QVERIFY(!stepper.rowMismatch);
      for (int64_t s = 0; s < 2; ++s) {
        QCOMPARE(r.sentences[s].size(), size_t{3});
        for (const auto& h : r.sentences[s]) {
          QCOMPARE(h.tokens.size(), size_t(T));
          QCOMPARE(std::count(h.tokens.begin(), h.tokens.end(), kEos), 0L);
          QVERIFY(std::abs(h.logProb - logProbOf(scorer, s, h.tokens)) < 1e-4);
        }
      }
    }
  }

  void forcedLengthOnTheModel() {
    SuperTransformer net = makeNet();
    const c10::InferenceMode inference;
    const ArchConfig arch = m_space.largest();
    BeamSearchOptions o;
    o.beam = 5;
    o.forcedLength = 12;
    ModelStepper stepper(*net, arch, net->encode(source(2, 9, 3), arch));
    const BeamSearchResult r = BeamSearch(o).run(stepper, 2);
    QCOMPARE(r.steps, int64_t{12});
    QCOMPARE(stepper.state().step, int64_t{12});
    for (const auto& hyps : r.sentences) {
      QCOMPARE(hyps.size(), size_t{5});
      for (const auto& h : hyps) QCOMPARE(h.tokens.size(), size_t{12});
    }
  }

  void batchedSearchEqualsOneSentenceAtATime() {
    SuperTransformer net = makeNet();
    torch::NoGradGuard noGrad;
    const at::Tensor src = source(3, 8, 21);
    Rng rng(8);
    for (int i = 0; i < 4; ++i) {
      const ArchConfig arch = m_space.sample(rng);
      BeamSearchOptions o;
      o.beam = 3;
      o.maxLen = 6;
      o.lenPenalty = 0.6;
      ModelStepper all(*net, arch, net->encode(src, arch));
      const BeamSearchResult batched = BeamSearch(o).run(all, 3);
      for (int64_t b = 0; b < 3; ++b) {
        ModelStepper one(*net, arch, net->encode(src.narrow(0, b, 1), arch));
        const BeamSearchResult single = BeamSearch(o).run(one, 1);
        QCOMPARE(single.sentences[0].size(), batched.sentences[b].size());
        for (size_t h = 0; h < single.sentences[0].size(); ++h) {
          QCOMPARE(batched.sentences[b][h].tokens, single.sentences[0][h].tokens);
          QVERIFY(std::abs(batched.sentences[b][h].score - single.sentences[0][h].score) < 1e-4);
        }
      }
    }
  }
};

QTEST_APPLESS_MAIN(TestBeamSearch)
#include "test_beam_search.moc"
