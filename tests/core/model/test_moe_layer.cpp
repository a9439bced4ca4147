// MoeLayer: grouped dispatch equals a per-token reference, capacity drops exactly the overflow,
// padding is not routed, auxiliary losses follow their formulas for any expert count.
#include <QtTest/QtTest>

#include "arch/arch_config.h"
#include "model/moe_layer.h"

using namespace automoe;

class TestMoeLayer final : public QObject {
  Q_OBJECT

  static MoeLayer makeLayer(double capacity = 0.0) {
    at::manual_seed(21);
    MoeOptions o;
    o.router.capacityFactor = capacity;
    return MoeLayer(16, std::vector<int>{32, 32, 32, 32, 32}, std::vector<std::string>{"softmax_topk", "switch_top1"}, o);
  }

  static LayerArch arch(std::vector<int> dims, int k, const std::string& router = "softmax_topk") {
    LayerArch a;
    a.expertFfnDims = std::move(dims);
    a.topK = k;
    a.router = router;
    return a;
  }

  // y[t] = sum_j w[t,j] * expert_{e[t,j]}(x[t]), one token at a time.
  static at::Tensor reference(const MoeLayerImpl& m, const at::Tensor& x, int64_t d, const LayerArch& a,
                              const at::Tensor& valid) {
    const RouteDecision r = m.routers.at(a.router)->route({x, d, a.numExperts(), a.effectiveTopK()});
    at::Tensor y = at::zeros_like(x);
    for (int64_t t = 0; t < x.size(0); ++t) {
      if (valid.defined() && !valid[t].item<bool>()) continue;
      for (int64_t j = 0; j < r.experts.size(1); ++j) {
        const int64_t e = r.experts[t][j].item<int64_t>();
        y[t] += r.weights[t][j].item<double>() *
                m.experts->at<ExpertImpl>(e).forward(x.narrow(0, t, 1), d, a.expertFfnDims[e], 0)[0];
      }
    }
    return y;
  }

 private Q_SLOTS:
  void groupedDispatchMatchesPerTokenReference_data() {
    QTest::addColumn<int>("k");
    QTest::addColumn<int>("d");
    QTest::addColumn<QString>("router");
    QTest::newRow("top1 full width") << 1 << 16 << "softmax_topk";
    QTest::newRow("top1 sliced width") << 1 << 10 << "softmax_topk";
    QTest::newRow("top2") << 2 << 12 << "softmax_topk";
    QTest::newRow("switch") << 2 << 16 << "switch_top1";  // switch clamps k to 1
  }
  void groupedDispatchMatchesPerTokenReference() {
    QFETCH(int, k);
    QFETCH(int, d);
    QFETCH(QString, router);
    MoeLayer m = makeLayer();
    m->eval();
    torch::NoGradGuard noGrad;
    const LayerArch a = arch({32, 8, 24, 16}, k, router.toStdString());
    const at::Tensor x = at::randn({40, d});
    at::Tensor valid = at::ones({40}, at::kBool);
    valid.narrow(0, 30, 10).fill_(false);
    const MoeOutput out = m->forward(x, d, a, valid);
    const at::Tensor ref = reference(*m, x, d, a, valid);
    QVERIFY((out.y - ref).abs().max().item<double>() < 1e-5);
    QCOMPARE(out.y.narrow(0, 30, 10).abs().sum().item<double>(), 0.0);  // padding: no output
    QCOMPARE(out.expertTokens.sum().item<int64_t>(), int64_t(30 * a.effectiveTopK()));
    if (a.effectiveTopK() == 2) {  // renormalised top-2 weights
      const RouteDecision r = m->routers.at(a.router)->route({x, d, 4, 2});
      QVERIFY((r.weights.sum(-1) - 1).abs().max().item<double>() < 1e-6);
    }
  }

  void capacityDropsExactlyTheOverflow() {
    MoeLayer m = makeLayer(/*capacity=*/0.5);
    m->train();
    const int64_t N = 64, n = 4;
    const LayerArch a = arch({32, 32, 32, 32}, 1);
    const at::Tensor x = at::randn({N, 16});
    torch::NoGradGuard noGrad;
    const MoeOutput out = m->forward(x, 16, a, at::Tensor());
    const RouteDecision r = m->routers.at("softmax_topk")->route({x, 16, n, 1});
    const int64_t capacity = static_cast<int64_t>(std::ceil(0.5 * N / n));  // 8 per expert
    int64_t expectedDrop = 0;
    std::vector<int64_t> seen(n, 0);
    for (int64_t t = 0; t < N; ++t) {
      const int64_t e = r.experts[t][0].item<int64_t>();
      const bool kept = seen[e]++ < capacity;  // first come, first served in token order
      expectedDrop += !kept;
      const double norm = out.y[t].abs().sum().item<double>();
      QVERIFY2(kept ? norm > 0 : norm == 0, qPrintable(QString("token %1").arg(t)));
    }
    QCOMPARE(out.droppedTokens, expectedDrop);
    QVERIFY(expectedDrop > 0);
    QVERIFY(out.expertTokens.max().item<int64_t>() <= capacity);
    m->eval();  // capacity applies only in training
    QCOMPARE(m->forward(x, 16, a, at::Tensor()).droppedTokens, int64_t(0));
  }

  void auxiliaryLossesFollowTheirFormulas() {
    MoeLayer m = makeLayer();
    m->eval();
    torch::NoGradGuard noGrad;
    for (int n = 2; n <= 5; ++n) {  // heterogeneous expert counts: no shape trouble
      const LayerArch a = arch(std::vector<int>(n, 16), 1);
      const at::Tensor x = at::randn({50, 16});
      const MoeOutput out = m->forward(x, 16, a, at::Tensor());
      const RouteDecision r = m->routers.at("softmax_topk")->route({x, 16, n, 1});
      double expected = 0;
      for (int i = 0; i < n; ++i) {
        const double f = r.experts.select(1, 0).eq(i).sum().item<double>() / 50.0;
        const double P = r.probs.select(1, i).mean().item<double>();
        expected += n * f * P;
      }
      QVERIFY(std::abs(out.auxTerms.at("balance").item<double>() - expected) < 1e-5);
      const double z = at::logsumexp(r.logits, -1).pow(2).mean().item<double>();
      QVERIFY(std::abs(out.auxTerms.at("z").item<double>() - z) < 1e-5);
      const double weighted = 0.01 * expected + 0.001 * z;  // default coefficients
      QVERIFY(std::abs(out.auxLoss.item<double>() - weighted) < 1e-6);
    }
  }

  void denseLayerHasNoRouter() {
    MoeLayer m = makeLayer();
    m->eval();
    torch::NoGradGuard noGrad;
    const at::Tensor x = at::randn({7, 16});
    const MoeOutput out = m->forward(x, 16, arch({24}, 1), at::Tensor());
    QVERIFY(!out.auxLoss.defined());
    QVERIFY(out.auxTerms.empty());
    const at::Tensor ref = m->experts->at<ExpertImpl>(0).forward(x, 16, 24, 0);
    QVERIFY((out.y - ref).abs().max().item<double>() < 1e-6);
  }
};

QTEST_APPLESS_MAIN(TestMoeLayer)
#include "test_moe_layer.moc"
