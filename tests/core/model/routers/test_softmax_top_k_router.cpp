// softmax_topk: sorted top-k of the softmax, weights renormalised for k > 1 and the raw
// probability for k = 1, grouped dispatch equal to a per-token reference with padding skipped,
// capacity (model-wide capacity_factor) only in training with first choices served first.
#include <QtTest/QtTest>

#include "core/model/routers/router_test_util.h"

using namespace automoe;
using namespace automoe::test;

class TestSoftmaxTopKRouter final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void topKIsSortedAndRenormalised() {
    MoeLayer m = makeLayer({"softmax_topk"});
    m->eval();
    torch::NoGradGuard noGrad;
    const at::Tensor x = at::randn({50, 16});
    for (int k = 1; k <= 4; ++k) {
      const RouteDecision r = m->routers.at("softmax_topk")->route({x, 16, 5, k});
      QCOMPARE(r.experts.sizes().vec(), (std::vector<int64_t>{50, k}));
      const at::Tensor chosen = r.probs.gather(1, r.experts);  // [N, k]
      const at::Tensor expected = std::get<0>(at::topk(r.probs, k, -1));
      QVERIFY(maxDiff(chosen, expected) < 1e-7);  // the k largest, best first
      if (k > 1) {
        QVERIFY(maxDiff(r.weights.sum(-1), at::ones({50})) < 1e-6);
        QVERIFY(maxDiff(r.weights, chosen / chosen.sum(-1, true)) < 1e-6);
        QVERIFY((r.weights.narrow(1, 0, k - 1) >= r.weights.narrow(1, 1, k - 1)).all().item<bool>());
      } else {
        QVERIFY(maxDiff(r.weights, chosen) < 1e-7);  // raw probability: the router keeps learning
      }
    }
  }

  void dispatchMatchesReferenceAndSkipsPads() {
    MoeLayer m = makeLayer({"softmax_topk"});
    m->eval();
    torch::NoGradGuard noGrad;
    for (int k : {1, 2, 3}) {
      const LayerArch a = layerArch({32, 8, 24, 16}, k, "softmax_topk");
      const at::Tensor x = at::randn({40, 12});
      at::Tensor valid = at::ones({40}, at::kBool);
      valid.narrow(0, 5, 7).fill_(false);
      const MoeOutput out = m->forward(x, 12, a, valid);
      const RouteDecision r = m->routers.at("softmax_topk")->route({x, 12, 4, k});
      QVERIFY(maxDiff(out.y, perTokenReference(*m, x, 12, a, valid, r)) < 1e-5);
      QCOMPARE(out.y.narrow(0, 5, 7).abs().sum().item<double>(), 0.0);
      QCOMPARE(out.expertTokens.sum().item<int64_t>(), int64_t(33 * k));
      QVERIFY(finite(out.auxLoss));
    }
  }

  void capacityServesFirstChoicesFirst() {
    MoeOptions o;
    o.router.capacityFactor = 0.5;
    MoeLayer m = makeLayer({"softmax_topk"}, o);
    m->train();
    torch::NoGradGuard noGrad;
    const int64_t N = 48, n = 4, k = 2;
    const LayerArch a = layerArch({32, 32, 32, 32}, k, "softmax_topk");
    const at::Tensor x = at::randn({N, 16});
    const MoeOutput out = m->forward(x, 16, a, at::Tensor());
    const RouteDecision r = m->routers.at("softmax_topk")->route({x, 16, n, k});
    const int64_t capacity = static_cast<int64_t>(std::ceil(0.5 * N * k / n));  // 12
    QCOMPARE(r.capacity, capacity);
    // Queue per expert: all first choices in token order, then the second choices.
    RouteDecision kept = r;
    kept.active = at::zeros({N, k}, at::kBool);
    std::vector<int64_t> seen(n, 0);
    int64_t dropped = 0;
    for (int64_t j = 0; j < k; ++j)
      for (int64_t t = 0; t < N; ++t) {
        const int64_t e = r.experts[t][j].item<int64_t>();
        const bool keep = seen[e]++ < capacity;
        kept.active[t][j] = keep;
        dropped += !keep;
      }
    QVERIFY(dropped > 0);
    QCOMPARE(out.droppedTokens, dropped);
    QVERIFY(maxDiff(out.y, perTokenReference(*m, x, 16, a, at::Tensor(), kept)) < 1e-5);
    m->eval();  // the model-wide capacity applies only in training
    QCOMPARE(m->forward(x, 16, a, at::Tensor()).droppedTokens, int64_t(0));
  }
};

QTEST_APPLESS_MAIN(TestSoftmaxTopKRouter)
#include "test_softmax_top_k_router.moc"
