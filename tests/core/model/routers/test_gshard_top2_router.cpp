// gshard_top2: the second expert differs from the first (sampled in training, plain second argmax
// at inference), capacity 2 ceil(S/n) in training with second choices queued behind all first
// choices, kept weights renormalised after dropping, balance loss from the first choices before
// dropping, GShard's top-1 gate when the subnet's top_k is 1.
#include <QtTest/QtTest>

#include "core/model/routers/router_test_util.h"
#include "model/routers/gshard_top2_router.h"

using namespace automoe;
using namespace automoe::test;

class TestGShardTop2Router final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void secondExpertDiffersFromFirst() {
    MoeLayer m = makeLayer({"gshard_top2"});
    const auto& router = *m->routers.at("gshard_top2");
    torch::NoGradGuard noGrad;
    const at::Tensor x = at::randn({200, 16});
    for (bool training : {true, false}) {
      m->train(training);
      const RouteDecision r = router.route({x, 16, 5, 2});
      QVERIFY(r.experts.select(1, 0).equal(r.probs.argmax(-1)));
      QVERIFY(r.experts.select(1, 0).ne(r.experts.select(1, 1)).all().item<bool>());
      QVERIFY(r.renormalize);
      if (!training)  // no noise at inference: the plain second argmax
        QVERIFY(r.experts.equal(std::get<1>(at::topk(r.probs, 2, -1))));
    }
    m->train();  // Gumbel sampling: the second choice is not always the second argmax
    const RouteDecision r = router.route({x, 16, 5, 2});
    QVERIFY(!r.experts.select(1, 1).equal(std::get<1>(at::topk(r.probs, 2, -1)).select(1, 1)));
  }

  void capacityIsTwiceCeilTokensOverExperts() {
    MoeLayer m = makeLayer({"gshard_top2"});
    const auto& router = *m->routers.at("gshard_top2");
    torch::NoGradGuard noGrad;
    const at::Tensor x = at::randn({37, 16});
    const at::Tensor real = at::arange(30, at::kLong);  // 7 pads do not count
    m->train();
    RouteRequest req(x, 16, 4, 2, {}, real);
    QCOMPARE(router.route(req).capacity, int64_t(2 * 8));  // 2 * ceil(30 / 4)
    m->eval();
    QCOMPARE(router.route(req).capacity, int64_t(30));  // ceil(1.0 * 30): never drops
    m->train();
    RouteRequest top1(x, 16, 4, 1, {}, real);
    const RouteDecision r1 = router.route(top1);
    QCOMPARE(r1.capacity, int64_t(8));  // int(1.0 * ceil(30 / 4))
    QVERIFY(!r1.renormalize);
    QVERIFY(maxDiff(r1.weights.squeeze(1), std::get<0>(r1.probs.max(-1))) < 1e-7);  // raw p
  }

  void dropsQueueSecondChoicesAndRenormalise() {
    MoeOptions o;
    o.router.options.gshardTop2.secondPolicy = "all";  // deterministic second choice
    MoeLayer m = makeLayer({"gshard_top2"}, o);
    m->train();
    torch::NoGradGuard noGrad;
    // Make expert 0 everybody's favourite so that it overflows.
    auto* router = dynamic_cast<GShardTop2Router*>(m->routers.at("gshard_top2").get());
    QVERIFY(router);
    router->weight[0].fill_(0.5);
    const int64_t N = 40, n = 4;
    const LayerArch a = layerArch({32, 24, 16, 8}, 2, "gshard_top2");
    const at::Tensor x = at::randn({N, 16}).abs() + 0.2;
    const MoeOutput out = m->forward(x, 16, a, at::Tensor());
    const RouteDecision r = router->route({x, 16, n, 2});
    const int64_t capacity = 2 * ((N + n - 1) / n);
    QCOMPARE(r.capacity, capacity);
    RouteDecision kept = r;
    kept.active = at::zeros({N, 2}, at::kBool);
    std::vector<int64_t> seen(n, 0);
    int64_t dropped = 0;
    for (int64_t j = 0; j < 2; ++j)
      for (int64_t t = 0; t < N; ++t) {
        const bool keep = seen[r.experts[t][j].item<int64_t>()]++ < capacity;
        kept.active[t][j] = keep;
        dropped += !keep;
      }
    QVERIFY(dropped > 0);
    QCOMPARE(out.droppedTokens, dropped);
    // Renormalise the kept gates of each token: g_j / sum of kept g.
    const at::Tensor g = r.weights * kept.active.to(at::kFloat);
    kept.weights = g / g.sum(-1, true).clamp_min(1e-9);
    QVERIFY(maxDiff(out.y, perTokenReference(*m, x, 16, a, at::Tensor(), kept)) < 1e-5);
    // Balance from the first choices before dropping.
    double expected = 0;
    for (int i = 0; i < n; ++i)
      expected += n * r.experts.select(1, 0).eq(i).sum().item<double>() / N *
                  r.probs.select(1, i).mean().item<double>();
    QVERIFY(std::abs(out.auxTerms.at("balance").item<double>() - expected) < 1e-5);
    QVERIFY(std::abs(out.auxLoss.item<double>() - 0.01 * expected) < 1e-6);
  }

  void randomPolicyKeepsSecondByItsGate() {
    MoeOptions o;
    o.router.options.gshardTop2.secondPolicy = "random";
    MoeLayer m = makeLayer({"gshard_top2"}, o);
    const auto& router = *m->routers.at("gshard_top2");
    torch::NoGradGuard noGrad;
    const at::Tensor x = at::randn({400, 16});
    m->train();
    const RouteDecision r = router.route({x, 16, 4, 2});
    QVERIFY(r.active.defined());
    QVERIFY(r.active.select(1, 0).all().item<bool>());
    const double keptShare = r.active.select(1, 1).to(at::kFloat).mean().item<double>();
    const double expected = (2 * r.weights.select(1, 1)).clamp_max(1).mean().item<double>();
    QVERIFY2(std::abs(keptShare - expected) < 0.1, qPrintable(QString::number(keptShare)));
    m->eval();
    QVERIFY(!router.route({x, 16, 4, 2}).active.defined());
  }
};

QTEST_APPLESS_MAIN(TestGShardTop2Router)
#include "test_gshard_top2_router.moc"
