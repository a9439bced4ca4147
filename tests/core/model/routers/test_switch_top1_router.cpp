// switch_top1: exactly one expert per token with the raw probability as weight, jitter only in
// training, capacity ceil(cf * tokens / n) from routers.switch_top1 (training; inference only if
// eval_capacity_factor > 0), dropped tokens get no expert output so the residual passes them on.
#include <QtTest/QtTest>

#include "core/model/routers/router_test_util.h"

using namespace automoe;
using namespace automoe::test;

class TestSwitchTop1Router final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void exactlyOneExpertWithRawProbability() {
    MoeLayer m = makeLayer({"switch_top1"});
    m->eval();
    torch::NoGradGuard noGrad;
    const LayerArch a = layerArch({32, 16, 8, 24}, /*k=*/3, "switch_top1");
    QCOMPARE(a.effectiveTopK(), 1);
    const at::Tensor x = at::randn({30, 16});
    at::Tensor valid = at::ones({30}, at::kBool);
    valid.narrow(0, 25, 5).fill_(false);
    const RouteDecision r = m->routers.at("switch_top1")->route({x, 16, 4, 1});
    QCOMPARE(r.experts.size(1), int64_t(1));
    QVERIFY(maxDiff(r.weights.squeeze(1), std::get<0>(r.probs.max(-1))) < 1e-7);
    QVERIFY(r.experts.squeeze(1).equal(r.probs.argmax(-1)));
    const MoeOutput out = m->forward(x, 16, a, valid);
    QCOMPARE(out.expertTokens.sum().item<int64_t>(), int64_t(25));  // one expert per real token
    QVERIFY(maxDiff(out.y, perTokenReference(*m, x, 16, a, valid, r)) < 1e-5);
    QVERIFY(out.auxTerms.count("balance") && out.auxTerms.count("z") && finite(out.auxLoss));
  }

  void jitterOnlyInTraining() {
    MoeLayer m = makeLayer({"switch_top1"});
    const auto& router = *m->routers.at("switch_top1");
    torch::NoGradGuard noGrad;
    const at::Tensor x = at::randn({20, 16});
    m->eval();
    const at::Tensor e1 = router.route({x, 16, 5, 1}).logits;
    QVERIFY(e1.equal(router.route({x, 16, 5, 1}).logits));
    m->train();
    const at::Tensor t1 = router.route({x, 16, 5, 1}).logits;
    const at::Tensor t2 = router.route({x, 16, 5, 1}).logits;
    QVERIFY(!t1.equal(t2));
    QVERIFY(maxDiff(t1, e1) > 0);
    // Multiplicative noise of +-1%: the logits move by at most 1% of |x| |w| per row.
    QVERIFY(maxDiff(t1, e1) < 0.01 * x.abs().sum(-1).max().item<double>());
  }

  void capacityDropsAndDroppedTokensPassThrough() {
    MoeOptions o;
    o.router.options.switchTop1.capacityFactor = 1.0;
    o.router.jitter = 0.0;  // exact reference
    MoeLayer m = makeLayer({"switch_top1"}, o);
    m->train();
    torch::NoGradGuard noGrad;
    const int64_t N = 64, n = 4;
    const LayerArch a = layerArch({32, 32, 32, 32}, 1, "switch_top1");
    const at::Tensor x = at::randn({N, 16}) + 0.7;  // skewed, so some experts overflow
    const MoeOutput out = m->forward(x, 16, a, at::Tensor());
    const RouteDecision r = m->routers.at("switch_top1")->route({x, 16, n, 1});
    const int64_t capacity = (N + n - 1) / n;  // ceil(1.0 * 64 / 4)
    QCOMPARE(r.capacity, capacity);
    std::vector<int64_t> seen(n, 0);
    int64_t dropped = 0;
    for (int64_t t = 0; t < N; ++t) {
      const bool kept = seen[r.experts[t][0].item<int64_t>()]++ < capacity;
      dropped += !kept;
      const double norm = out.y[t].abs().sum().item<double>();
      // A dropped token's MoE output is 0: the layer's LN(h + 0) passes it through unchanged.
      QVERIFY2(kept ? norm > 0 : norm == 0, qPrintable(QString("token %1").arg(t)));
    }
    QVERIFY(dropped > 0);
    QCOMPARE(out.droppedTokens, dropped);
    QVERIFY(out.expertTokens.max().item<int64_t>() <= capacity);

    m->eval();  // default eval_capacity_factor 0: no capacity at inference
    QCOMPARE(m->forward(x, 16, a, at::Tensor()).droppedTokens, int64_t(0));
    o.router.options.switchTop1.evalCapacityFactor = 1.0;
    MoeLayer capped = makeLayer({"switch_top1"}, o);
    capped->eval();
    QCOMPARE(capped->forward(x, 16, a, at::Tensor()).droppedTokens, dropped);
  }
};

QTEST_APPLESS_MAIN(TestSwitchTop1Router)
#include "test_switch_top1_router.moc"
