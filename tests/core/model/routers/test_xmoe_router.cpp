// xmoe: a low-dimensional projection P [d_r, d] and expert embeddings e [E, d_r]; scores are
// cosines scaled by the embedding norm 1.5, so |s| <= 1.5 whatever x and e are; logits s / 0.3;
// invariant to the scale of x and of each embedding; balance loss on softmax(s / 0.3).
#include <QtTest/QtTest>

#include "core/model/routers/router_test_util.h"
#include "model/routers/xmoe_router.h"

using namespace automoe;
using namespace automoe::test;

class TestXmoeRouter final : public QObject {
  Q_OBJECT

  static XmoeRouter& router(MoeLayer& m) {
    return *dynamic_cast<XmoeRouter*>(m->routers.at("xmoe").get());
  }

 private Q_SLOTS:
  void lowDimensionalShapes() {
    MoeLayer m = makeLayer({"xmoe"});
    QCOMPARE(router(m).proj.sizes().vec(), (std::vector<int64_t>{16, 16}));
    QCOMPARE(router(m).expert_embeddings.sizes().vec(), (std::vector<int64_t>{5, 16}));
    MoeOptions o;
    o.router.options.xmoe.routingDim = 4;
    MoeLayer small = makeLayer({"xmoe"}, o, {32, 32, 32}, 24);
    QCOMPARE(router(small).proj.sizes().vec(), (std::vector<int64_t>{4, 24}));
    QCOMPARE(router(small).expert_embeddings.sizes().vec(), (std::vector<int64_t>{3, 4}));
  }

  void scoresAreBoundedCosines() {
    MoeLayer m = makeLayer({"xmoe"});
    XmoeRouter& r = router(m);
    torch::NoGradGuard noGrad;
    r.expert_embeddings.mul_(at::rand({5, 1}) * 100);  // any embedding norm
    const at::Tensor x = at::randn({64, 12}) * 1000;
    const at::Tensor s = r.scores(x, 12, 4);
    QCOMPARE(s.sizes().vec(), (std::vector<int64_t>{64, 4}));
    QVERIFY(s.abs().max().item<double>() <= XmoeRouter::kEmbeddingNorm + 1e-5);
    // Exactly cos(P x, e_i) * 1.5.
    const at::Tensor h = at::linear(x, r.proj.narrow(1, 0, 12));
    const at::Tensor e = r.expert_embeddings.narrow(0, 0, 4);
    const at::Tensor cos = at::matmul(h / h.norm(2, {-1}, true), (e / e.norm(2, {-1}, true)).t());  // [64, 4]
    QVERIFY(maxDiff(s, cos * 1.5) < 1e-5);
    m->eval();
    const RouteDecision d = r.route({x, 12, 4, 2});
    QVERIFY(maxDiff(d.logits, s / 0.3) < 1e-4);
    QVERIFY(d.experts.equal(r.route({x * 0.001, 12, 4, 2}).experts));  // scale-free in x
    QVERIFY(maxDiff(d.weights.sum(-1), at::ones({64})) < 1e-6);
  }

  void dispatchAndBalance() {
    MoeLayer m = makeLayer({"xmoe"});
    m->eval();
    torch::NoGradGuard noGrad;
    const LayerArch a = layerArch({32, 24, 16, 8, 32}, 2, "xmoe");
    const at::Tensor x = at::randn({30, 16});
    at::Tensor valid = at::ones({30}, at::kBool);
    valid.narrow(0, 27, 3).fill_(false);
    const MoeOutput out = m->forward(x, 16, a, valid);
    const RouteDecision r = router(m).route({x, 16, 5, 2});
    QVERIFY(maxDiff(out.y, perTokenReference(*m, x, 16, a, valid, r)) < 1e-5);
    double expected = 0;
    const at::Tensor first = r.experts.select(1, 0).narrow(0, 0, 27);
    for (int i = 0; i < 5; ++i)
      expected += 5 * first.eq(i).sum().item<double>() / 27 *
                  r.probs.narrow(0, 0, 27).select(1, i).mean().item<double>();
    QVERIFY(std::abs(out.auxTerms.at("balance").item<double>() - expected) < 1e-5);
    QVERIFY(std::abs(out.auxLoss.item<double>() - 0.01 * expected) < 1e-6);
  }

  void trainsProjectionAndEmbeddings() {
    MoeLayer m = makeLayer({"xmoe"});
    m->train();
    const LayerArch a = layerArch({32, 32, 32}, 1, "xmoe");
    const MoeOutput out = m->forward(at::randn({20, 16}), 16, a, at::Tensor());
    (out.y.pow(2).mean() + out.auxLoss).backward();
    const XmoeRouter& r = router(m);
    QVERIFY(r.proj.grad().defined() && r.proj.grad().abs().sum().item<double>() > 0);
    const at::Tensor eg = r.expert_embeddings.grad();
    QVERIFY(eg.narrow(0, 0, 3).abs().sum().item<double>() > 0);
    QCOMPARE(eg.narrow(0, 3, 2).abs().sum().item<double>(), 0.0);  // unsampled experts
  }
};

QTEST_APPLESS_MAIN(TestXmoeRouter)
#include "test_xmoe_router.moc"
