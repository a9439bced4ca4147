// fastDropout: identity outside training; in training, entries are either 0 or x / (1 - p), the
// kept fraction is 1 - p, masks are a deterministic function of the generator's seed (and differ
// between calls), gradients flow through the same mask, bf16/double inputs keep their type, and a
// bf16 input is masked where a float input of the same draw is.
#include <QtTest/QtTest>

#include "model/fast_dropout.h"

using namespace automoe;

class TestFastDropout final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void identityWithoutTraining() {
    const at::Tensor x = at::randn({10, 10});
    QVERIFY(fastDropout(x, 0.3, false).is_same(x));
    QVERIFY(fastDropout(x, 0.0, true).is_same(x));
    QCOMPARE(fastDropout(x, 1.0, true).abs().sum().item<double>(), 0.0);
  }

  void keepsOneMinusPScaled() {
    at::manual_seed(7);
    for (double p : {0.1, 0.3, 0.5}) {
      const at::Tensor x = at::ones({1000, 200});
      const at::Tensor y = fastDropout(x, p, true);
      const at::Tensor kept = y.ne(0);
      const double fraction = kept.to(at::kDouble).mean().item<double>();
      QVERIFY2(std::abs(fraction - (1 - p)) < 0.005, qPrintable(QString::number(fraction)));
      QVERIFY((y.masked_select(kept) - 1.0 / (1 - p)).abs().max().item<double>() < 1e-6);
      // No visible structure: the keep rates of rows and of columns vary as much as independent
      // draws would (variance p (1 - p) / count; the ratio's sampling spread is ~0.05-0.1), and
      // neighbouring entries are uncorrelated.
      const at::Tensor k = kept.to(at::kDouble);
      const double rowRatio = k.mean(1).var().item<double>() / (p * (1 - p) / 200);
      const double colRatio = k.mean(0).var().item<double>() / (p * (1 - p) / 1000);
      QVERIFY2(rowRatio > 0.7 && rowRatio < 1.4, qPrintable(QString::number(rowRatio)));
      QVERIFY2(colRatio > 0.6 && colRatio < 1.5, qPrintable(QString::number(colRatio)));
      const at::Tensor flat = k.reshape(-1) - (1 - p);  // [1000, 200] -> [200000]
      const double lag1 = (flat.narrow(0, 0, flat.size(0) - 1) * flat.narrow(0, 1, flat.size(0) - 1)).mean().item<double>();
      QVERIFY(std::abs(lag1) / (p * (1 - p)) < 0.02);
    }
  }

  void deterministicGivenTheSeed() {
    const at::Tensor x = at::randn({300, 7});
    at::manual_seed(11);
    const at::Tensor a1 = fastDropout(x, 0.2, true), a2 = fastDropout(x, 0.2, true);
    at::manual_seed(11);
    const at::Tensor b1 = fastDropout(x, 0.2, true);
    QVERIFY(at::equal(a1, b1));
    QVERIFY(!at::equal(a1.ne(0), a2.ne(0)));  // the next call draws a new mask
  }

  void gradientUsesTheMask() {
    at::manual_seed(12);
    const at::Tensor x = at::randn({50, 20}).requires_grad_(true);
    const at::Tensor y = fastDropout(x, 0.4, true);
    y.sum().backward();
    const at::Tensor expected = y.detach().ne(0).to(at::kFloat) / 0.6;
    QVERIFY((x.grad() - expected).abs().max().item<double>() < 1e-6);
  }

  // bf16 masks are written as bit patterns: the same entries as the float mask of the same draw
  // (over several parallel chunks and a tail), each kept one exactly bf16(1 / (1 - p)).
  void bf16MaskMatchesTheFloatMask() {
    const int64_t n = 3 * 65536 + 37;
    for (double p : {0.1, 0.3}) {
      at::manual_seed(21);
      const at::Tensor yf = fastDropout(at::ones({n}), p, true);
      at::manual_seed(21);
      const at::Tensor yb = fastDropout(at::ones({n}, at::kBFloat16), p, true);
      QVERIFY(at::equal(yb.ne(0), yf.ne(0)));
      const at::Tensor keptValue = at::full({1}, 1.0 / (1 - p)).to(at::kBFloat16);
      QVERIFY(yb.masked_select(yb.ne(0)).eq(keptValue).all().item<bool>());
    }
  }

  void keepsTheInputType() {
    at::manual_seed(13);
    QCOMPARE(fastDropout(at::randn({64}).to(at::kBFloat16), 0.1, true).scalar_type(), at::kBFloat16);
    QCOMPARE(fastDropout(at::randn({64}, at::kDouble), 0.1, true).scalar_type(), at::kDouble);
  }
};

QTEST_APPLESS_MAIN(TestFastDropout)
#include "test_fast_dropout.moc"
