// Expert output masking (EoM) and final output masking (FoM), with any router: in training a row
// is zeroed with probability p (statistical bound) and kept rows are unscaled; at inference every
// output is scaled by 1 - p; padding stays 0.
#include <QtTest/QtTest>

#include "core/model/routers/router_test_util.h"

using namespace automoe;
using namespace automoe::test;

class TestOutputMasking final : public QObject {
  Q_OBJECT

  static MoeOptions masking(double eom, double fom) {
    MoeOptions o;
    o.router.options.masking.eom = eom;
    o.router.options.masking.fom = fom;
    o.router.options.switchTop1.capacityFactor = 0;  // no drops: every row has an output
    o.router.jitter = 0;
    o.router.options.competeSmoe.rateFlip = 1.0;
    o.router.options.competeSmoe.warmUp = 0.0;
    return o;
  }

  static std::vector<std::string> allRouters() {
    return {"softmax_topk", "switch_top1", "gshard_top2", "smoe_dropout",
            "xmoe",         "stablemoe",   "competesmoe", "stratified"};
  }

 private Q_SLOTS:
  void trainingZeroesAboutPOfTheRows_data() {
    QTest::addColumn<double>("eom");
    QTest::addColumn<double>("fom");
    QTest::newRow("eom") << 0.3 << 0.0;
    QTest::newRow("fom") << 0.0 << 0.2;
  }
  void trainingZeroesAboutPOfTheRows() {
    QFETCH(double, eom);
    QFETCH(double, fom);
    const double p = eom + fom;
    MoeLayer plain = makeLayer({"softmax_topk"}, masking(0, 0), {16, 16, 16, 16}, 8);
    MoeLayer masked = makeLayer({"softmax_topk"}, masking(eom, fom), {16, 16, 16, 16}, 8);
    plain->train();
    masked->train();
    torch::NoGradGuard noGrad;
    const int64_t N = 4000;
    const LayerArch a = layerArch({16, 16, 16, 16}, 1, "softmax_topk");
    const at::Tensor x = at::randn({N, 8});
    const at::Tensor ref = plain->forward(x, 8, a, at::Tensor()).y;
    const at::Tensor y = masked->forward(x, 8, a, at::Tensor()).y;
    const at::Tensor zero = y.abs().sum(-1).eq(0);
    const double share = zero.to(at::kDouble).mean().item<double>();
    // Binomial(4000, p): 5 standard deviations are below 0.04.
    QVERIFY2(std::abs(share - p) < 0.04, qPrintable(QString("zeroed share %1, p %2").arg(share).arg(p)));
    const at::Tensor kept = zero.logical_not().nonzero().squeeze(1);
    QVERIFY(maxDiff(y.index_select(0, kept), ref.index_select(0, kept)) < 1e-6);  // not rescaled
  }

  void inferenceScalesByOneMinusP() {
    const at::Tensor x = at::randn({30, 16});
    at::Tensor valid = at::ones({30}, at::kBool);
    valid.narrow(0, 25, 5).fill_(false);
    for (const auto& type : allRouters()) {
      for (auto [eom, fom] : {std::pair{0.25, 0.0}, std::pair{0.0, 0.4}, std::pair{0.1, 0.2}}) {
        // Stratified: expert outputs feed the next pass's input, so EoM is not a plain scaling.
        if (type == "stratified" && eom > 0) continue;
        MoeLayer plain = makeLayer(allRouters(), masking(0, 0));
        MoeLayer masked = makeLayer(allRouters(), masking(eom, fom));
        plain->eval();
        masked->eval();
        torch::NoGradGuard noGrad;
        const LayerArch a = layerArch({32, 24, 16, 8}, 2, type);
        const at::Tensor ref = plain->forward(x, 16, a, valid).y;
        const at::Tensor y = masked->forward(x, 16, a, valid).y;
        const double scale = (1 - eom) * (1 - fom);
        QVERIFY2(maxDiff(y, ref * scale) < 1e-5, type.c_str());
        QCOMPARE(y.narrow(0, 25, 5).abs().sum().item<double>(), 0.0);
      }
    }
  }

  void expertMaskingAppliesOnCompetitionSteps() {
    MoeLayer m = makeLayer({"competesmoe"}, masking(0.5, 0));
    m->train();  // competition needs training and grad mode
    const LayerArch a = layerArch({16, 16, 16}, 1, "competesmoe");
    const MoeOutput out = m->forward(at::randn({2000, 16}), 16, a, at::Tensor(), ForwardContext{0, 10});
    QVERIFY(out.competed);
    const double share = out.y.abs().sum(-1).eq(0).to(at::kDouble).mean().item<double>();
    QVERIFY2(std::abs(share - 0.5) < 0.06, qPrintable(QString::number(share)));
  }
};

QTEST_APPLESS_MAIN(TestOutputMasking)
#include "test_output_masking.moc"
