// competesmoe: on competition steps the chosen experts are the top-k by affinity and the output
// uses the normalised affinities; the router's target carries no gradient; with rate_flip = 0 the
// layer is plain softmax top-k; the shared schedule caps the competing layers per step, is the
// same for every model built with the same seed, skips the warm-up; eval and no-grad never compete.
#include <QtTest/QtTest>

#include <algorithm>

#include "core/model/routers/router_test_util.h"
#include "model/routers/compete_smoe_router.h"
#include "model/softmax_top_k_router.h"

using namespace automoe;
using namespace automoe::test;

class TestCompeteSmoeRouter final : public QObject {
  Q_OBJECT

  static MoeOptions alwaysCompete() {
    MoeOptions o;
    o.router.options.competeSmoe.rateFlip = 1.0;
    o.router.options.competeSmoe.warmUp = 0.0;
    return o;
  }

  static const CompeteSmoeRouter& router(const MoeLayer& m) {
    return *dynamic_cast<const CompeteSmoeRouter*>(m->routers.at("competesmoe").get());
  }

 private Q_SLOTS:
  void competitionPicksTopAffinity() {
    MoeLayer m = makeLayer({"competesmoe"}, alwaysCompete());
    m->train();
    const LayerArch a = layerArch({32, 16, 24, 8}, 2, "competesmoe");
    const at::Tensor x = at::randn({30, 16});
    at::Tensor valid = at::ones({30}, at::kBool);
    valid.narrow(0, 26, 4).fill_(false);
    const MoeOutput out = m->forward(x, 16, a, valid, ForwardContext{0, 10});
    QVERIFY(out.competed);
    for (const char* t : {"router", "diversity", "balance_comp"}) QVERIFY(finite(out.auxTerms.at(t)));
    QVERIFY(!out.auxTerms.count("z"));
    // Reference: every expert on every real token, affinity = mean softplus, top-2, a / sum a.
    torch::NoGradGuard noGrad;
    const at::Tensor xr = x.narrow(0, 0, 26);
    std::vector<at::Tensor> outs;
    for (int e = 0; e < 4; ++e) outs.push_back(m->experts->at<ExpertImpl>(e).forward(xr, 16, a.expertFfnDims[e], 0));
    const at::Tensor all = at::stack(outs, 1);  // [26, 4, 16]
    const at::Tensor affinity = at::softplus(all).mean(-1);
    at::Tensor top, idx;
    std::tie(top, idx) = at::topk(affinity, 2, -1);
    RouteDecision ref;
    ref.experts = idx;
    ref.weights = top / top.sum(-1, true);
    QVERIFY(maxDiff(out.y.narrow(0, 0, 26), perTokenReference(*m, xr, 16, a, at::Tensor(), ref)) < 1e-5);
    QCOMPARE(out.y.narrow(0, 26, 4).abs().sum().item<double>(), 0.0);
    QVERIFY(out.expertTokens.equal(at::bincount(idx.reshape(-1), {}, 4)));
    const RouteDecision d = router(m).routeDense({xr, 16, 4, 2}, all);
    QVERIFY(d.experts.equal(idx));
  }

  void routerTargetHasNoGradient() {
    MoeLayer m = makeLayer({"competesmoe"}, alwaysCompete());
    m->train();
    const at::Tensor x = at::randn({12, 16});
    const at::Tensor outputs = at::randn({12, 4, 16}).requires_grad_();
    const RouteDecision d = router(m).routeDense({x, 16, 4, 2}, outputs);
    d.auxTerms.at("router").backward();
    QVERIFY(!outputs.grad().defined() || outputs.grad().abs().sum().item<double>() == 0.0);
    QVERIFY(router(m).weight.grad().abs().sum().item<double>() > 0);  // the router learns
    const at::Tensor outputs2 = at::randn({12, 4, 16}).requires_grad_();
    router(m).routeDense({x, 16, 4, 2}, outputs2).auxTerms.at("balance_comp").backward();
    QVERIFY(outputs2.grad().abs().sum().item<double>() > 0);  // balance on softmax(a): not detached
  }

  void noFlipsEqualsSoftmaxTopK() {
    MoeOptions o;
    o.router.options.competeSmoe.rateFlip = 0.0;
    MoeLayer m = makeLayer({"softmax_topk", "competesmoe"}, o);
    {
      torch::NoGradGuard noGrad;
      auto* plain = dynamic_cast<SoftmaxTopKRouter*>(m->routers.at("softmax_topk").get());
      plain->weight.copy_(router(m).weight);
      plain->bias.zero_();
    }
    m->train();
    const at::Tensor x = at::randn({33, 16});
    for (int k : {1, 2, 3}) {
      const MoeOutput c = m->forward(x, 16, layerArch({32, 8, 16, 32}, k, "competesmoe"), at::Tensor(), ForwardContext{40, 100});
      const MoeOutput s = m->forward(x, 16, layerArch({32, 8, 16, 32}, k, "softmax_topk"), at::Tensor(), ForwardContext{40, 100});
      QVERIFY(!c.competed);
      QVERIFY(maxDiff(c.y, s.y) < 1e-6);
      QVERIFY(std::abs(c.auxLoss.item<double>() - s.auxLoss.item<double>()) < 1e-7);
      QVERIFY(c.expertTokens.equal(s.expertTokens));
    }
  }

  void evalAndNoGradNeverCompete() {
    MoeLayer m = makeLayer({"competesmoe"}, alwaysCompete());
    const LayerArch a = layerArch({32, 32, 32}, 2, "competesmoe");
    const at::Tensor x = at::randn({10, 16});
    m->eval();
    QVERIFY(!m->forward(x, 16, a, at::Tensor(), ForwardContext{3, 10}).competed);
    m->train();
    {
      torch::NoGradGuard noGrad;
      QVERIFY(!m->forward(x, 16, a, at::Tensor(), ForwardContext{3, 10}).competed);
    }
    QVERIFY(m->forward(x, 16, a, at::Tensor(), ForwardContext{3, 10}).competed);
    // A later plain step reports no competition terms: nothing stale is carried over.
    MoeOptions o = alwaysCompete();
    o.router.options.competeSmoe.warmUp = 0.5;
    MoeLayer warm = makeLayer({"competesmoe"}, o);
    warm->train();
    const MoeOutput early = warm->forward(x, 16, a, at::Tensor(), ForwardContext{4, 10});
    QVERIFY(!early.competed && !early.auxTerms.count("router") && early.auxTerms.count("balance"));
    QVERIFY(warm->forward(x, 16, a, at::Tensor(), ForwardContext{5, 10}).competed);
  }

  void scheduleCapsCompetingLayersPerStep() {
    MoeOptions o;
    o.router.options.competeSmoe.rateFlip = 0.4;
    o.router.options.competeSmoe.maxCompeteInIter = 2;
    o.router.options.competeSmoe.warmUp = 0.1;
    std::vector<MoeLayer> layers;
    for (int i = 0; i < 6; ++i) layers.push_back(makeLayer({"softmax_topk", "competesmoe"}, o, {16, 16, 16}, 8, i));
    QCOMPARE(o.router.competition->numLayers(), 6);
    for (auto& l : layers) l->train();
    const RouteRequest base(at::randn({4, 8}), 8, 3, 1);
    for (int64_t total : {int64_t(300), int64_t(0)}) {  // precomputed, and unknown horizon
      int64_t flips = 0;
      for (int64_t t = 0; t < 300; ++t) {
        RouteRequest r = base;
        r.ctx = ForwardContext{t, total};
        int competing = 0;
        for (auto& l : layers) competing += router(l).wantsDenseExperts(r);
        QVERIFY2(competing <= 2, qPrintable(QString("step %1: %2 layers").arg(t).arg(competing)));
        if (total > 0 && t < 30) QCOMPARE(competing, 0);  // warm-up
        flips += competing;
      }
      QVERIFY(flips > 300);  // roughly 6 * 0.4 per step, capped at 2
    }
    // Deterministic from the seed, independent of the process: a second model flips alike.
    const auto a = CompetitionSchedule::build(6, 500, 0.3, 2, 7);
    QVERIFY(a == CompetitionSchedule::build(6, 500, 0.3, 2, 7));
    QVERIFY(a != CompetitionSchedule::build(6, 500, 0.3, 2, 8));
    for (int64_t s = 0; s < 500; ++s) {
      int c = 0;
      for (const auto& layer : a) c += layer[s];
      QVERIFY(c <= 2);
    }
    // Without saturation every draw lands somewhere: about rate * steps flips per layer.
    const auto sparse = CompetitionSchedule::build(4, 4000, 0.05, 3, 1);
    for (const auto& layer : sparse) {
      const double rate = std::count(layer.begin(), layer.end(), true) / 4000.0;
      QVERIFY2(std::abs(rate - 0.05) < 0.015, qPrintable(QString::number(rate)));
    }
  }
};

QTEST_APPLESS_MAIN(TestCompeteSmoeRouter)
#include "test_compete_smoe_router.moc"
