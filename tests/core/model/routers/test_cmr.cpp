// Conditional MoE routing: parameters only when enabled, out = (1 - g) dense(x) + g moe(x) exactly
// with g = sigmoid(w . x + b), loss |mean g - target| over the real tokens, gate dropout in
// training, dense layers untouched.
#include <QtTest/QtTest>

#include "core/model/routers/router_test_util.h"

using namespace automoe;
using namespace automoe::test;

class TestCmr final : public QObject {
  Q_OBJECT

  static MoeOptions cmrOn() {
    MoeOptions o;
    o.router.options.cmr.enabled = true;
    return o;
  }

 private Q_SLOTS:
  void parametersOnlyWhenEnabled() {
    MoeLayer off = makeLayer({"softmax_topk"});
    for (const auto& p : off->named_parameters()) QVERIFY(p.key().find("cmr") == std::string::npos);
    MoeLayer on = makeLayer({"softmax_topk"}, cmrOn(), {32, 24, 40});
    const auto params = on->named_parameters();
    QCOMPARE(params["cmr.dense.fc1.weight"].sizes().vec(), (std::vector<int64_t>{40, 16}));
    QCOMPARE(params["cmr.dense.fc2.weight"].sizes().vec(), (std::vector<int64_t>{16, 40}));
    QCOMPARE(params["cmr.gate.weight"].sizes().vec(), (std::vector<int64_t>{1, 16}));
    QCOMPARE(params["cmr.gate.bias"].sizes().vec(), (std::vector<int64_t>{1}));
    MoeLayer dense = makeLayer({}, cmrOn(), {32});  // a dense-only slot holds no CMR
    QVERIFY(!dense->cmr);
  }

  void outputMixesDenseAndMoeExactly() {
    for (const std::string type : {"softmax_topk", "gshard_top2", "stratified"}) {
      MoeLayer on = makeLayer({type}, cmrOn(), {32, 24, 40, 16});
      MoeLayer off = makeLayer({type}, {}, {32, 24, 40, 16});
      std::string problem;
      QVERIFY(copyPrefix(*on, *off, &problem));  // same experts and router
      on->eval();
      off->eval();
      torch::NoGradGuard noGrad;
      const LayerArch a = layerArch({16, 24, 8}, 2, type);
      const at::Tensor x = at::randn({30, 12});
      at::Tensor valid = at::ones({30}, at::kBool);
      valid.narrow(0, 0, 6).fill_(false);
      const MoeOutput mixed = on->forward(x, 12, a, valid);
      const MoeOutput moe = off->forward(x, 12, a, valid);
      const at::Tensor g = at::sigmoid(at::linear(x, on->cmr->gate->weight.narrow(1, 0, 12), on->cmr->gate->bias));  // [30, 1]
      const at::Tensor dense = on->cmr->dense->forward(x, 12, 24, 0);  // widest sampled expert: 24
      const at::Tensor expected = ((1 - g) * dense + g * moe.y).narrow(0, 6, 24);
      QVERIFY2(maxDiff(mixed.y.narrow(0, 6, 24), expected) < 1e-6, type.c_str());
      QCOMPARE(mixed.y.narrow(0, 0, 6).abs().sum().item<double>(), 0.0);
      const double loss = std::abs(g.narrow(0, 6, 24).mean().item<double>() - 0.8);
      QVERIFY(std::abs(mixed.auxTerms.at("cmr").item<double>() - loss) < 1e-6);
      QVERIFY(std::abs(mixed.auxLoss.item<double>() - (moe.auxLoss.item<double>() + 0.01 * loss)) < 1e-6);
    }
  }

  void gateDropoutInTraining() {
    MoeLayer on = makeLayer({"softmax_topk"}, cmrOn());
    on->train();
    torch::NoGradGuard noGrad;
    const at::Tensor x = at::randn({3000, 16});
    const CmrOutput c = on->cmr->forward(x, 16, 32, at::zeros_like(x), at::Tensor(), 0);
    const double dropped = c.gate.eq(0).to(at::kDouble).mean().item<double>();
    QVERIFY2(std::abs(dropped - 0.1) < 0.03, qPrintable(QString::number(dropped)));
    QVERIFY(std::abs(c.loss.item<double>() - std::abs(c.gate.mean().item<double>() - 0.8)) < 1e-6);
  }

  void denseLayersAreUntouched() {
    MoeLayer on = makeLayer({"softmax_topk"}, cmrOn());
    on->eval();
    torch::NoGradGuard noGrad;
    const at::Tensor x = at::randn({7, 16});
    const MoeOutput out = on->forward(x, 16, layerArch({24}, 1, "softmax_topk"), at::Tensor());
    QVERIFY(maxDiff(out.y, on->experts->at<ExpertImpl>(0).forward(x, 16, 24, 0)) < 1e-6);
    QVERIFY(!out.auxLoss.defined());
  }
};

QTEST_APPLESS_MAIN(TestCmr)
#include "test_cmr.moc"
