// SliceAdam: Adam's update on exactly the used prefix slice; nothing else moves.
#include <QtTest/QtTest>

#include <cmath>

#include "model/bf16_weight_shadow.h"
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

  // AutoMoE ran Adam over every supernet weight at every update, so weights a subnet did not use
  // kept moving on their old momentum (and decaying). Here: a few updates of a large slice leave
  // non-zero moments on all of it; updates of a smaller slice then leave every entry outside the
  // smaller slice (parameter and both moments) bit for bit as it was. With weight decay on, for
  // gradients passed as boxes or left in .grad() (zero outside the slice, as after a backward
  // through the slice), fp32 or bf16 (bf16 products' weight gradients), eager or lazy state.
  void unsampledEntriesDoNotDriftThroughMomentum_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("bf16");
    QTest::addColumn<bool>("eager");
    for (bool eager : {true, false}) {
      const QString state = eager ? "-eager" : "-lazy";
      QTest::newRow(qPrintable("box-fp32" + state)) << "box" << false << eager;
      QTest::newRow(qPrintable("box-bf16" + state)) << "box" << true << eager;
      QTest::newRow(qPrintable("grad-fp32" + state)) << "grad" << false << eager;
    }
  }

  void unsampledEntriesDoNotDriftThroughMomentum() {
    QFETCH(QString, path);
    QFETCH(bool, bf16);
    QFETCH(bool, eager);
    at::manual_seed(9);
    // Rows longer than the fused kernel's cache-line chunks, a 1-D parameter too.
    const std::vector<std::vector<int64_t>> full = {{64, 100}, {24}}, large = {{48, 90}, {20}},
                                            small = {{16, 30}, {5}};
    std::vector<std::pair<std::string, at::Tensor>> params = {{"w", at::randn(full[0]).requires_grad_(true)}, {"b", at::randn(full[1]).requires_grad_(true)}};
    SliceAdamOptions o{0.9, 0.98, 1e-8, 0.01};
    o.eagerState = eager;
    SliceAdam adam(params, o);
    auto update = [&](const std::vector<std::vector<int64_t>>& boxes) {
      std::vector<SliceAdam::BoxGrad> given;
      for (size_t i = 0; i < params.size(); ++i) {
        at::Tensor g = at::randn(boxes[i]);
        if (bf16) g = g.to(at::kBFloat16);
        if (path == "box") {
          given.push_back({i, g});
          continue;
        }
        at::Tensor padded = at::zeros_like(params[i].second);  // what a backward through the slice leaves
        at::Tensor view = padded;
        for (size_t d = 0; d < boxes[i].size(); ++d) view = view.narrow(int64_t(d), 0, boxes[i][d]);
        view.copy_(g);
        params[i].second.mutable_grad() = padded;
      }
      adam.step(1e-2, given);
    };
    for (int s = 0; s < 3; ++s) update(large);
    struct Snapshot {
      at::Tensor p, m, v;
    };
    std::vector<Snapshot> before;
    for (size_t i = 0; i < params.size(); ++i)
      before.push_back({params[i].second.detach().clone(), adam.states()[i].expAvg.clone(), adam.states()[i].expAvgSq.clone()});
    // Masks of the entries outside the small slice but inside the large one (non-zero moments,
    // which a whole-tensor Adam would apply) and of those outside both.
    std::vector<at::Tensor> outside(params.size()), insideSmall(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      outside[i] = at::ones(full[i], at::kBool);
      at::Tensor in = outside[i];
      for (size_t d = 0; d < small[i].size(); ++d) in = in.narrow(int64_t(d), 0, small[i][d]);
      in.fill_(false);
      insideSmall[i] = outside[i].logical_not();
      at::Tensor inLarge = at::zeros(full[i], at::kBool), box = inLarge;
      for (size_t d = 0; d < large[i].size(); ++d) box = box.narrow(int64_t(d), 0, large[i][d]);
      box.fill_(true);
      const at::Tensor between = outside[i].logical_and(inLarge);
      QVERIFY(before[i].m.masked_select(between).ne(0).all().item<bool>());  // momentum there to drift on
      QVERIFY(before[i].v.masked_select(between).ne(0).all().item<bool>());
    }

    for (int s = 0; s < 2; ++s) update(small);
    for (size_t i = 0; i < params.size(); ++i) {
      const char* name = params[i].first.c_str();
      const auto& st = adam.states()[i];
      QVERIFY2(at::equal(params[i].second.masked_select(outside[i]), before[i].p.masked_select(outside[i])), name);
      QVERIFY2(at::equal(st.expAvg.masked_select(outside[i]), before[i].m.masked_select(outside[i])), name);
      QVERIFY2(at::equal(st.expAvgSq.masked_select(outside[i]), before[i].v.masked_select(outside[i])), name);
      // The small slice itself was updated, every entry of it.
      QVERIFY2(params[i].second.masked_select(insideSmall[i]).ne(before[i].p.masked_select(insideSmall[i])).all().item<bool>(),
               name);
      QCOMPARE(st.steps, int64_t(5));
    }

    // The same update over the large box with zeros outside the small slice (Adam over everything
    // the earlier updates touched, AutoMoE's way) does move the entries outside: the check above
    // would catch it.
    const at::Tensor w0 = params[0].second.detach().clone();
    at::Tensor zeroPadded = at::zeros(large[0]);
    zeroPadded.narrow(0, 0, small[0][0]).narrow(1, 0, small[0][1]).normal_();
    for (auto& p : params) p.second.mutable_grad() = at::Tensor();
    adam.step(1e-2, {{0, zeroPadded}});
    QVERIFY(!at::equal(params[0].second.masked_select(outside[0]), w0.masked_select(outside[0])));
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

  // With a Bf16WeightShadow, every update leaves the shadow equal to the parameters' bf16 casts, bit
  // for bit, without casting anything again: through the fused kernel (a row-major parameter, a
  // bf16 box gradient) and through tensor operations (a parameter whose rows are not unit-stride).
  void keepsBf16ShadowsInStep() {
    at::manual_seed(4);
    at::Tensor a = at::randn({8, 6}).requires_grad_(true);
    at::Tensor t = at::randn({7, 5}).t().detach().requires_grad_(true);  // [5, 7], column-major
    at::Tensor d = at::randn({4}, at::kDouble).requires_grad_(true);     // not shadowed
    Bf16WeightShadow shadow({a, t, d});
    QCOMPARE(shadow.castEntries(), int64_t(48 + 35));
    SliceAdam adam({{"a", a}, {"t", t}, {"d", d}}, SliceAdamOptions{0.9, 0.98, 1e-8, 0.01});
    adam.setBf16Shadow(&shadow);
    for (int step = 0; step < 4; ++step) {
      for (at::Tensor* x : {&a, &t, &d}) x->mutable_grad() = at::Tensor();
      (t.narrow(0, 0, 2 + step).narrow(1, 0, 3 + step).sin().sum() + d.pow(2).sum()).backward();
      const at::Tensor ga = at::randn({3 + step, 2 + step}).to(at::kBFloat16);  // a's box, as bf16 products give it
      adam.step(0.05, {{0, ga}});
      QVERIFY(at::equal(shadow.bf16Of(a), a.detach().to(at::kBFloat16)));
      QVERIFY(at::equal(shadow.bf16Of(t), t.detach().to(at::kBFloat16)));
      QVERIFY(at::equal(shadow.bf16Of(a.narrow(0, 0, 2).narrow(1, 0, 5)),
                        a.detach().narrow(0, 0, 2).narrow(1, 0, 5).to(at::kBFloat16)));
      QVERIFY(!shadow.bf16Of(d).defined());
    }
    QCOMPARE(shadow.castEntries(), int64_t(48 + 35));  // kept in step, never cast again
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
