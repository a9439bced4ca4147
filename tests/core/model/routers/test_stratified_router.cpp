// stratified: strata by expert index, gate G_s reaches only experts of strata >= s, every real
// token takes 1..L passes and only moves up, pads take none, the layer equals an independent
// pass-by-pass reference (per-stratum residual + LayerNorm), the balance loss is averaged over
// the passes, one stratum is plain GShard routing, per-pass capacity from the pass's tokens.
#include <QtTest/QtTest>

#include <cmath>
#include <limits>

#include "core/model/routers/router_test_util.h"
#include "model/routers/gshard_top2_router.h"
#include "model/routers/stratified_router.h"

using namespace automoe;
using namespace automoe::test;

class TestStratifiedRouter final : public QObject {
  Q_OBJECT

  static MoeOptions strata(int L) {
    MoeOptions o;
    o.router.options.stratified.strata = L;
    return o;
  }

  static StratifiedRouter& router(MoeLayer& m) {
    return *dynamic_cast<StratifiedRouter*>(m->routers.at("stratified").get());
  }

 private Q_SLOTS:
  void strataSplitExpertsByIndex() {
    MoeLayer m = makeLayer({"stratified"}, strata(3), std::vector<int>(6, 16));
    QCOMPARE(router(m).weight.sizes().vec(), (std::vector<int64_t>{3, 6, 16}));
    QCOMPARE(router(m).norm_weight.sizes().vec(), (std::vector<int64_t>{2, 16}));
    QCOMPARE(router(m).strataOffsets(6), (std::vector<int64_t>{0, 2, 4, 6}));
    QCOMPARE(router(m).strataOffsets(5), (std::vector<int64_t>{0, 2, 4, 5}));
    QCOMPARE(router(m).strataOffsets(4), (std::vector<int64_t>{0, 2, 3, 4}));
    QCOMPARE(router(m).strataOffsets(2), (std::vector<int64_t>{0, 1, 2}));
  }

  void gateReachesOnlyHigherStrata() {
    MoeLayer m = makeLayer({"stratified"}, strata(3), std::vector<int>(6, 16));
    torch::NoGradGuard noGrad;
    const at::Tensor u = at::randn({50, 16});
    for (bool training : {true, false}) {
      m->train(training);
      for (int64_t s = 0; s < 3; ++s) {
        const int64_t first = router(m).strataOffsets(5)[s];
        const RouteDecision d = router(m).routeStratum(u, 16, 5, 2, s);
        QVERIFY(d.experts.ge(first).all().item<bool>());
        if (first > 0) QCOMPARE(d.probs.narrow(1, 0, first).abs().sum().item<double>(), 0.0);
        QCOMPARE(d.experts.size(1), std::min<int64_t>(2, 5 - first));
        if (training && d.experts.size(1) == 2)  // 2 ceil(T_s / visible)
          QCOMPARE(d.capacity, 2 * ((50 + (5 - first) - 1) / (5 - first)));
      }
    }
  }

  void passesFollowTheStrataAndMatchAReference() {
    for (int k : {1, 2}) {
      MoeLayer m = makeLayer({"stratified"}, strata(3), {32, 24, 16, 8, 32, 16});
      m->eval();
      torch::NoGradGuard noGrad;
      const LayerArch a = layerArch({32, 24, 16, 8, 32}, k, "stratified");
      const at::Tensor x = at::randn({60, 16}) * 2;
      at::Tensor valid = at::ones({60}, at::kBool);
      valid.narrow(0, 55, 5).fill_(false);
      const MoeOutput out = m->forward(x, 16, a, valid);

      // Independent pass-by-pass reference over the 55 real tokens.
      const StratifiedRouter& r = router(m);
      const std::vector<int64_t> off = r.strataOffsets(5);
      std::vector<int64_t> state(55, 0), passes(55, 0);
      at::Tensor y = at::zeros({55, 16});
      std::vector<double> balances;
      int64_t assignments = 0;  // k per pass, fewer where a stratum has fewer visible experts
      for (int64_t s = 0; s < 3; ++s) {
        std::vector<int64_t> ids;
        for (int64_t t = 0; t < 55; ++t)
          if (state[t] == s) ids.push_back(t);
        if (ids.empty()) continue;
        const at::Tensor idx = at::tensor(ids, at::kLong);
        at::Tensor u = x.index_select(0, idx);
        if (s > 0)
          u = at::layer_norm(u + y.index_select(0, idx), {16}, r.norm_weight[s - 1], r.norm_bias[s - 1]);
        const RouteDecision d = r.routeStratum(u, 16, 5, k, s);
        balances.push_back(d.auxTerms.at("balance").item<double>());
        assignments += d.experts.numel();
        const at::Tensor w = k == 2 ? d.weights / d.weights.sum(-1, true) : d.weights;
        RouteDecision norm = d;
        norm.weights = w;
        const at::Tensor ys = perTokenReference(*m, u, 16, a, at::Tensor(), norm);
        for (size_t i = 0; i < ids.size(); ++i) {
          const int64_t t = ids[i];
          y[t] += ys[i];
          ++passes[t];
          const int64_t e = d.experts[i][0].item<int64_t>();
          int64_t next = 0;
          while (off[next + 1] <= e) ++next;
          QVERIFY(next >= s);  // the top-1 expert is never in a lower stratum
          state[t] = next + 1;
        }
      }
      QVERIFY(maxDiff(out.y.narrow(0, 0, 55), y) < 1e-4);
      QCOMPARE(out.y.narrow(0, 55, 5).abs().sum().item<double>(), 0.0);
      QVERIFY(out.tokenPasses.narrow(0, 0, 55).equal(at::tensor(passes, at::kLong)));
      QCOMPARE(out.tokenPasses.narrow(0, 55, 5).sum().item<int64_t>(), int64_t(0));
      QVERIFY(out.tokenPasses.narrow(0, 0, 55).ge(1).all().item<bool>());
      QVERIFY(out.tokenPasses.le(3).all().item<bool>());
      QVERIFY(out.tokenPasses.gt(1).any().item<bool>());  // some tokens do move up
      QCOMPARE(out.expertTokens.sum().item<int64_t>(), assignments);
      double mean = 0;
      for (double b : balances) mean += b / static_cast<double>(balances.size());
      QVERIFY(std::abs(out.auxTerms.at("balance").item<double>() - mean) < 1e-5);
      QVERIFY(std::abs(out.auxLoss.item<double>() - 0.01 * mean) < 1e-6);
    }
  }

  void oneStratumIsGShard() {
    MoeLayer m = makeLayer({"stratified", "gshard_top2"}, strata(1));
    torch::NoGradGuard noGrad;
    auto* g = dynamic_cast<GShardTop2Router*>(m->routers.at("gshard_top2").get());
    g->weight.copy_(router(m).weight[0]);
    QVERIFY(!router(m).norm_weight.defined());
    m->eval();
    const at::Tensor x = at::randn({40, 16});
    at::Tensor valid = at::ones({40}, at::kBool);
    valid.narrow(0, 0, 3).fill_(false);
    const MoeOutput s = m->forward(x, 16, layerArch({32, 32, 32, 32}, 2, "stratified"), valid);
    const MoeOutput h = m->forward(x, 16, layerArch({32, 32, 32, 32}, 2, "gshard_top2"), valid);
    QVERIFY(maxDiff(s.y, h.y) < 1e-5);
    QVERIFY(std::abs(s.auxLoss.item<double>() - h.auxLoss.item<double>()) < 1e-6);
    QVERIFY(s.tokenPasses.narrow(0, 3, 37).eq(1).all().item<bool>());
  }

  void trainingPassesAreFiniteAndTrainTheirGates() {
    MoeLayer m = makeLayer({"stratified"}, strata(2));
    m->train();
    const LayerArch a = layerArch({32, 32, 32, 32, 32}, 2, "stratified");
    const MoeOutput out = m->forward(at::randn({64, 16}), 16, a, at::Tensor(), ForwardContext{1, 10});
    QVERIFY(finite(out.y) && finite(out.auxLoss));
    (out.y.pow(2).mean() + out.auxLoss).backward();
    const at::Tensor g = router(m).weight.grad();
    QVERIFY(g[0].abs().sum().item<double>() > 0);
    QVERIFY(g[1].narrow(0, 0, 3).abs().sum().item<double>() == 0);  // G_1 never reaches stratum 0
  }
};

QTEST_APPLESS_MAIN(TestStratifiedRouter)
#include "test_stratified_router.moc"
