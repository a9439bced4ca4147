// smoe_dropout: the random router is frozen (requires_grad = false, no gradient ever), k follows
// the linear schedule k(t) = clip(round((k_max - k_min) t / T) + k_min) during training, any k at
// inference (the subnet's top_k or eval_top_k), weights = softmax over the k selected logits.
#include <QtTest/QtTest>

#include <cmath>

#include "core/model/routers/router_test_util.h"

using namespace automoe;
using namespace automoe::test;

class TestSmoeDropoutRouter final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void routerIsFrozen() {
    MoeLayer m = makeLayer({"smoe_dropout", "softmax_topk"});
    m->train();
    const auto& router = *m->routers.at("smoe_dropout");
    for (const auto& p : router.parameters()) QVERIFY(!p.requires_grad());
    const LayerArch a = layerArch({32, 32, 32, 32}, 2, "smoe_dropout");
    const at::Tensor x = at::randn({24, 16}).requires_grad_();
    const MoeOutput out = m->forward(x, 16, a, at::Tensor(), ForwardContext{50, 100});
    (out.y.pow(2).mean() + out.auxLoss).backward();
    for (const auto& p : router.parameters()) QVERIFY(!p.grad().defined());
    QVERIFY(m->experts->at<ExpertImpl>(0).fc1->weight.grad().defined());
    QVERIFY(x.grad().defined());
    QCOMPARE(out.auxLoss.item<double>(), 0.0);            // nothing to train
    QVERIFY(!out.auxTerms.at("balance").requires_grad());  // reported for monitoring only
  }

  void kFollowsTheLinearSchedule() {
    MoeLayer m = makeLayer({"smoe_dropout"}, {}, std::vector<int>(8, 16));
    m->train();
    torch::NoGradGuard noGrad;
    const auto& router = *m->routers.at("smoe_dropout");
    const at::Tensor x = at::randn({10, 16});
    const int64_t T = 100, kMin = 2, kMax = 8;  // defaults: the subnet's top_k, all n experts
    for (int64_t t : {0, 1, 7, 10, 49, 50, 93, 99, 100, 150}) {
      const RouteDecision r = router.route({x, 16, 8, kMin, ForwardContext{t, T}});
      const int64_t expected = std::clamp<int64_t>(
          static_cast<int64_t>(std::round(double(kMax - kMin) * double(std::min(t, T)) / T)) + kMin, kMin, kMax);
      QCOMPARE(r.experts.size(1), expected);
      QVERIFY(maxDiff(r.weights, at::softmax(r.logits.gather(1, r.experts), -1)) < 1e-6);
      QVERIFY(r.experts.equal(std::get<1>(at::topk(r.logits, expected, -1))));
    }
    QCOMPARE(router.route({x, 16, 8, kMin, ForwardContext{}}).experts.size(1), kMin);  // T unknown

    MoeOptions o;
    o.router.options.smoeDropout.kMin = 3;
    o.router.options.smoeDropout.kMax = 5;
    MoeLayer bounded = makeLayer({"smoe_dropout"}, o, std::vector<int>(8, 16));
    bounded->train();
    const auto& r2 = *bounded->routers.at("smoe_dropout");
    QCOMPARE(r2.route({x, 16, 8, 1, ForwardContext{0, T}}).experts.size(1), int64_t(3));
    QCOMPARE(r2.route({x, 16, 8, 1, ForwardContext{50, T}}).experts.size(1), int64_t(4));
    QCOMPARE(r2.route({x, 16, 8, 1, ForwardContext{100, T}}).experts.size(1), int64_t(5));
  }

  void anyKAtInference() {
    MoeLayer m = makeLayer({"smoe_dropout"}, {}, std::vector<int>(6, 16));
    m->eval();
    torch::NoGradGuard noGrad;
    const at::Tensor x = at::randn({30, 16});
    at::Tensor valid = at::ones({30}, at::kBool);
    valid.narrow(0, 0, 4).fill_(false);
    for (int k = 1; k <= 6; ++k) {
      const LayerArch a = layerArch({16, 8, 16, 12, 4, 16}, k, "smoe_dropout");
      QCOMPARE(a.effectiveTopK(), k);
      const MoeOutput out = m->forward(x, 16, a, valid, ForwardContext{3, 10});
      const RouteDecision r = m->routers.at("smoe_dropout")->route({x, 16, 6, k});
      QCOMPARE(r.experts.size(1), int64_t(k));
      QVERIFY(maxDiff(r.weights.sum(-1), at::ones({30})) < 1e-6);
      QVERIFY(maxDiff(out.y, perTokenReference(*m, x, 16, a, valid, r)) < 1e-5);
      QCOMPARE(out.expertTokens.sum().item<int64_t>(), int64_t(26 * k));
    }
    MoeOptions o;
    o.router.options.smoeDropout.evalTopK = 6;  // dense inference
    MoeLayer dense = makeLayer({"smoe_dropout"}, o, std::vector<int>(6, 16));
    dense->eval();
    QCOMPARE(dense->routers.at("smoe_dropout")->route({x, 16, 6, 1}).experts.size(1), int64_t(6));
  }
};

QTEST_APPLESS_MAIN(TestSmoeDropoutRouter)
#include "test_smoe_dropout_router.moc"
