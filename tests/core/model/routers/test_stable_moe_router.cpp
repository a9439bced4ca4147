// stablemoe: cosine-style expert centroids (scores x . c_i / |c_i| over the sampled width, so the
// scale of a centroid does not matter), balance loss present (the seed repo had none), optional
// stage 2 freezing the routing.
#include <QtTest/QtTest>

#include "core/model/routers/router_test_util.h"
#include "model/routers/stable_moe_router.h"

using namespace automoe;
using namespace automoe::test;

class TestStableMoeRouter final : public QObject {
  Q_OBJECT

  static StableMoeRouter& router(MoeLayer& m) {
    return *dynamic_cast<StableMoeRouter*>(m->routers.at("stablemoe").get());
  }

 private Q_SLOTS:
  void cosineStyleCentroids() {
    MoeLayer m = makeLayer({"stablemoe"});
    m->eval();
    StableMoeRouter& r = router(m);
    torch::NoGradGuard noGrad;
    QCOMPARE(r.centroids.sizes().vec(), (std::vector<int64_t>{5, 16}));
    const at::Tensor x = at::randn({40, 12});
    const RouteDecision before = r.route({x, 12, 4, 2});
    const at::Tensor c = r.centroids.narrow(0, 0, 4).narrow(1, 0, 12);
    const at::Tensor expected = at::matmul(x, (c / c.norm(2, {-1}, true)).t()) / 0.3;  // [40, 4]
    QVERIFY(maxDiff(before.logits, expected) < 1e-5);
    r.centroids.narrow(0, 1, 1).mul_(7.0);  // a centroid's length is irrelevant
    const RouteDecision after = r.route({x, 12, 4, 2});
    QVERIFY(maxDiff(before.logits, after.logits) < 1e-5);
    QVERIFY(before.experts.equal(after.experts));
    QVERIFY(maxDiff(after.weights.sum(-1), at::ones({40})) < 1e-6);
  }

  void balanceLossAndDispatch() {
    MoeLayer m = makeLayer({"stablemoe"});
    m->eval();
    torch::NoGradGuard noGrad;
    const LayerArch a = layerArch({32, 16, 8}, 1, "stablemoe");
    const at::Tensor x = at::randn({25, 16});
    at::Tensor valid = at::ones({25}, at::kBool);
    valid[3] = false;
    const MoeOutput out = m->forward(x, 16, a, valid);
    const RouteDecision r = router(m).route({x, 16, 3, 1});
    QVERIFY(maxDiff(out.y, perTokenReference(*m, x, 16, a, valid, r)) < 1e-5);
    QVERIFY(out.auxTerms.count("balance"));
    QVERIFY(out.auxTerms.at("balance").item<double>() > 0);
    QVERIFY(out.auxLoss.item<double>() > 0);
  }

  void stageTwoFreezesRouting() {
    MoeOptions o;
    o.router.options.stableMoe.freezeFraction = 0.5;
    MoeLayer m = makeLayer({"stablemoe"}, o);
    m->train();
    const LayerArch a = layerArch({32, 32, 32}, 2, "stablemoe");
    const at::Tensor x = at::randn({20, 16});
    auto gradNorm = [&](int64_t step) {
      m->zero_grad(/*set_to_none=*/true);
      const MoeOutput out = m->forward(x, 16, a, at::Tensor(), ForwardContext{step, 100});
      (out.y.pow(2).mean() + out.auxLoss).backward();
      const at::Tensor g = router(m).centroids.grad();
      return g.defined() ? g.abs().sum().item<double>() : 0.0;
    };
    QVERIFY(gradNorm(10) > 0);
    QCOMPARE(gradNorm(60), 0.0);
  }
};

QTEST_APPLESS_MAIN(TestStableMoeRouter)
#include "test_stable_moe_router.moc"
