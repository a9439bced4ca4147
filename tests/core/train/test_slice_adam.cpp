// SliceAdam: Adam's update on exactly the used prefix slice; nothing else moves.
#include <QtTest/QtTest>

#include <cmath>

#include "train/lr_schedule.h"
#include "train/slice_adam.h"

using namespace automoe;
using at::indexing::None;
using at::indexing::Slice;

class TestSliceAdam final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void extentIsTheLeadingBoxOfNonZeros() {
    at::Tensor g = at::zeros({6, 5});
    g[1][3] = 1.0;
    g[3][0] = -2.0;
    QCOMPARE(SliceAdam::nonZeroExtent(g), (std::vector<int64_t>{4, 4}));
    QVERIFY(SliceAdam::nonZeroExtent(at::zeros({3})).empty());
    QCOMPARE(SliceAdam::nonZeroExtent(at::ones({7})), (std::vector<int64_t>{7}));
  }

  void updatesOnlyTheSampledSlice() {
    for (bool eager : {false, true}) {
      at::manual_seed(1);
      at::Tensor w = at::randn({6, 5}).requires_grad_(true);
      at::Tensor unused = at::randn({3}).requires_grad_(true);
      const at::Tensor w0 = w.detach().clone(), u0 = unused.detach().clone();
      SliceAdamOptions o{0.9, 0.98, 1e-8, 0.0};
      o.eagerState = eager;
      SliceAdam adam({{"w", w}, {"unused", unused}}, o);
      (w.narrow(0, 0, 4).narrow(1, 0, 3).pow(2).sum()).backward();  // slice [:4, :3] used
      QCOMPARE(adam.step(0.1), int64_t(12));
      const at::Tensor moved = (w.detach() - w0).abs().gt(0);
      QCOMPARE(moved.index({Slice(0, 4), Slice(0, 3)}).all().item<bool>(), true);
      QCOMPARE(moved.index({Slice(4, None), Slice()}).any().item<bool>(), false);
      QCOMPARE(moved.index({Slice(), Slice(3, None)}).any().item<bool>(), false);
      QVERIFY(at::equal(unused.detach(), u0));  // no gradient: untouched
      // Lazy: no state for a parameter never updated; eager: every state exists, zero where unused.
      QCOMPARE(adam.states()[1].expAvg.defined(), eager);
      if (eager) {
        QCOMPARE(adam.states()[1].expAvg.sizes(), unused.sizes());
        QCOMPARE(adam.states()[1].expAvgSq.abs().sum().item<double>(), 0.0);
        QCOMPARE(adam.states()[1].steps, int64_t(0));
      }
      QCOMPARE(adam.states()[0].expAvg.index({Slice(4, None)}).abs().sum().item<double>(), 0.0);
    }
  }

  void eagerAndLazyStatesGiveIdenticalUpdates() {
    std::vector<at::Tensor> result[2];
    for (int eager = 0; eager < 2; ++eager) {
      at::manual_seed(3);
      at::Tensor a = at::randn({8, 6}).requires_grad_(true), b = at::randn({5}).requires_grad_(true);
      SliceAdamOptions o{0.9, 0.98, 1e-8, 0.01};
      o.eagerState = eager == 1;
      SliceAdam adam({{"a", a}, {"b", b}}, o);
      for (int step = 0; step < 4; ++step) {  // the slice grows; b is first used at step 2
        a.mutable_grad() = at::Tensor();
        b.mutable_grad() = at::Tensor();
        at::Tensor loss = a.narrow(0, 0, 3 + step).narrow(1, 0, 2 + step).sin().sum();
        if (step >= 2) loss = loss + b.narrow(0, 0, step).pow(2).sum();
        loss.backward();
        adam.step(0.05);
      }
      result[eager] = {a.detach().clone(), b.detach().clone(), adam.states()[0].expAvg, adam.states()[0].expAvgSq,
                       adam.states()[1].expAvg};
    }
    for (size_t i = 0; i < result[0].size(); ++i) QVERIFY(at::equal(result[0][i], result[1][i]));
  }

  void matchesAdamFormulaOnFullGradients() {
    at::Tensor p = at::tensor({1.0, -2.0, 3.0}, at::kDouble).requires_grad_(true);
    SliceAdam adam({{"p", p}}, SliceAdamOptions{0.9, 0.98, 1e-8, 0.0});
    std::vector<double> x = {1.0, -2.0, 3.0}, m(3, 0), v(3, 0);
    for (int t = 1; t <= 3; ++t) {
      p.mutable_grad() = at::Tensor();
      (p.pow(3).sum()).backward();
      adam.step(0.01);
      for (int i = 0; i < 3; ++i) {
        const double g = 3 * x[i] * x[i];
        m[i] = 0.9 * m[i] + 0.1 * g;
        v[i] = 0.98 * v[i] + 0.02 * g * g;
        const double mh = m[i] / (1 - std::pow(0.9, t)), vh = v[i] / (1 - std::pow(0.98, t));
        x[i] -= 0.01 * mh / (std::sqrt(vh) + 1e-8);
      }
    }
    for (int i = 0; i < 3; ++i) QVERIFY(std::abs(p[i].item<double>() - x[i]) < 1e-9);
  }

  void learningRateSchedules() {
    LrSchedule cosine({"cosine", 1e-3, 1e-7, 1e-7, 10, 110});
    QVERIFY(std::abs(cosine.at(0) - (1e-7 + (1e-3 - 1e-7) / 10)) < 1e-12);  // linear warm-up
    QVERIFY(std::abs(cosine.at(9) - 1e-3) < 1e-12);                         // peak after warm-up
    QVERIFY(std::abs(cosine.at(59) - (1e-7 + 0.5 * (1e-3 - 1e-7))) < 1e-9);   // half period
    QVERIFY(std::abs(cosine.at(109) - 1e-7) < 1e-12);                       // floor at the end
    LrSchedule isqrt({"inverse_sqrt", 5e-4, 0, 1e-7, 4, 100});
    QVERIFY(std::abs(isqrt.at(15) - 5e-4 * 2.0 / 4.0) < 1e-12);             // lr * sqrt(4 / 16)
  }
};

QTEST_APPLESS_MAIN(TestSliceAdam)
#include "test_slice_adam.moc"
