// Bf16WeightShadow: a leading-box view of a registered float parameter reads back its exact bf16
// cast, other views and tensors get nothing; changes made outside the optimizer (in-place
// operations, new storage as a checkpoint load may give) are seen and cast again; bf16 products in
// sliceLinear read the active shadow and give the same values and gradients as casting.
#include <QtTest/QtTest>

#include <optional>

#include <ATen/core/grad_mode.h>

#include "model/bf16_autocast.h"
#include "model/bf16_weight_shadow.h"
#include "model/onednn_bf16_matmul.h"
#include "model/slice_linear.h"
#include "model/slice_recorder.h"

using namespace automoe;

namespace {

at::Tensor box(const at::Tensor& t, int64_t rows, int64_t cols) { return t.narrow(0, 0, rows).narrow(1, 0, cols); }

}  // namespace

class TestBf16WeightShadow final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void leadingBoxesReadTheExactCast() {
    at::manual_seed(1);
    const at::Tensor w = at::randn({10, 12}), bias = at::randn({12}), other = at::randn({10, 12});
    const at::Tensor d = at::randn({3, 3}, at::kDouble);
    Bf16WeightShadow shadow({w, bias, d});
    QCOMPARE(shadow.castEntries(), int64_t(132));  // the float ones, cast once
    for (auto [r, c] : {std::pair<int64_t, int64_t>{10, 12}, {4, 7}, {1, 12}, {10, 1}}) {
      const at::Tensor got = shadow.bf16Of(box(w, r, c));
      QCOMPARE(got.scalar_type(), at::kBFloat16);
      QVERIFY(at::equal(got, box(w, r, c).to(at::kBFloat16)));
    }
    QVERIFY(at::equal(shadow.bf16Of(bias.narrow(0, 0, 5)), bias.narrow(0, 0, 5).to(at::kBFloat16)));
    // A recorded slice (a new leaf on the same storage) is a leading box too.
    SliceRecorder recorder;
    {
      SliceRecorder::Scope scope(recorder);
      const at::Tensor leaf = SliceRecorder::slice(at::Tensor(w).requires_grad_(true), {6, 9});
      QVERIFY(at::equal(shadow.bf16Of(leaf), box(w, 6, 9).to(at::kBFloat16)));
      w.requires_grad_(false);
    }
    // Not leading boxes of a registered float parameter: nothing.
    QVERIFY(!shadow.bf16Of(w.narrow(0, 2, 3)).defined());  // an offset
    QVERIFY(!shadow.bf16Of(w.narrow(1, 1, 4)).defined());
    QVERIFY(!shadow.bf16Of(w.t()).defined());              // other strides
    QVERIFY(!shadow.bf16Of(w.view({12, 10})).defined());
    QVERIFY(!shadow.bf16Of(other).defined());
    QVERIFY(!shadow.bf16Of(d).defined());
    QCOMPARE(shadow.castEntries(), int64_t(132));  // nothing cast again
    // The optimizer's access: the whole shadow, or nothing for what is not kept.
    QCOMPARE(shadow.beginWrite(w).sizes(), w.sizes());
    QVERIFY(!shadow.beginWrite(other).defined());
    QVERIFY(!shadow.beginWrite(box(w, 2, 2)).defined());  // the parameter itself only
  }

  void changesOutsideTheOptimizerAreCastAgain() {
    at::manual_seed(2);
    at::Tensor w = at::randn({6, 8});
    Bf16WeightShadow shadow({w});
    QVERIFY(at::equal(shadow.bf16Of(box(w, 3, 4)), box(w, 3, 4).to(at::kBFloat16)));
    w.add_(0.37);  // an in-place change: the version counter moves
    QVERIFY(at::equal(shadow.bf16Of(box(w, 3, 4)), box(w, 3, 4).to(at::kBFloat16)));
    QCOMPARE(shadow.castEntries(), int64_t(48 + 12));  // only the box asked for
    // The valid box grows to enclose the next one asked for ([3, 4] and [5, 2] -> [5, 4]).
    QVERIFY(at::equal(shadow.bf16Of(box(w, 5, 2)), box(w, 5, 2).to(at::kBFloat16)));
    QCOMPARE(shadow.castEntries(), int64_t(48 + 12 + 20));
    QVERIFY(at::equal(shadow.bf16Of(w), w.to(at::kBFloat16)));
    // New storage for the parameter (set_, as a load may do): found and cast again.
    const at::Tensor fresh = at::randn({6, 8});
    w.set_(fresh.clone());
    QVERIFY(at::equal(shadow.bf16Of(box(w, 6, 5)), box(fresh, 6, 5).to(at::kBFloat16)));
    // ... even with another shape.
    w.set_(at::randn({9, 3}));
    QVERIFY(at::equal(shadow.bf16Of(w), w.to(at::kBFloat16)));
    // An optimizer that finds the parameter changed since gets nothing to keep until it is cast.
    w.mul_(2);
    QVERIFY(!shadow.beginWrite(w).defined());
    shadow.endWrite(w);
    QVERIFY(at::equal(shadow.bf16Of(w), w.to(at::kBFloat16)));
  }

  // bf16 products through oneDNN read the active shadow instead of casting: the same output and
  // gradients to the bit, and the values they read are the shadow's.
  void sliceLinearReadsTheActiveShadow() {
    if (!oneDnnBf16MatmulAvailable()) QSKIP("this build or CPU has no oneDNN bf16 matmul");
    at::manual_seed(3);
    const at::Tensor stored = at::randn({50, 40}), bias = at::randn({30}), x0 = at::randn({2, 37, 21});
    Bf16WeightShadow shadow({stored});
    auto run = [&](bool withShadow) {
      std::optional<Bf16WeightShadow::Scope> scope;
      if (withShadow) scope.emplace(&shadow);
      Bf16Autocast autocast(true);
      at::Tensor x = x0.clone().requires_grad_(true);
      at::Tensor w = box(stored, 30, 21).detach().requires_grad_(true);  // [30, 21], row stride 40
      at::Tensor b = bias.clone().requires_grad_(true);
      const at::Tensor y = sliceLinear(x, w, b);
      (y.to(at::kFloat) * at::linspace(-1, 1, y.numel()).view(y.sizes())).sum().backward();
      return std::vector<at::Tensor>{y.detach(), x.grad(), w.grad(), b.grad()};
    };
    const auto cast = run(false), shadowed = run(true);
    for (size_t i = 0; i < cast.size(); ++i) QVERIFY(at::equal(cast[i], shadowed[i]));
    QCOMPARE(shadow.castEntries(), int64_t(2000));  // read, not cast again
    // Products read the shadow: zeroed there, the weight contributes nothing (the float weight
    // is untouched, so only a read of the shadow can give this).
    {
      at::NoGradGuard noGrad;
      shadow.bf16Of(box(stored, 30, 21)).zero_();
    }
    const auto poked = run(true);
    QVERIFY(at::equal(poked[0].to(at::kFloat), bias.to(at::kBFloat16).to(at::kFloat).expand({2, 37, 30})));
    QCOMPARE(poked[1].abs().max().item<double>(), 0.0);  // dx = g . W = 0
  }
};

QTEST_APPLESS_MAIN(TestBf16WeightShadow)
#include "test_bf16_weight_shadow.moc"
