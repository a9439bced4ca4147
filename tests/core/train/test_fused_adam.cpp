// fusedAdamBox: the same update as Adam written in tensor operations (float rounding), on exactly
// the leading box, with and without weight decay, for float and double; declines what it cannot
// do (a mismatched type) without touching anything; a gradient scale is a scaled gradient; a bf16
// gradient of a float parameter gives the update of its float value exactly. Boxes with long
// rows take the kernel's cache-line chunks and its prefetches into the next row. A bf16 copy gets
// LibTorch's bf16 casts of the new values.
#include <QtTest/QtTest>

#include <cmath>

#include "train/fused_adam.h"

using namespace automoe;

class TestFusedAdam final : public QObject {
  Q_OBJECT

 private:
  static void reference(at::Tensor p, at::Tensor m, at::Tensor v, const at::Tensor& g, const FusedAdamCoefficients& c) {
    for (int64_t d = 0; d < g.dim(); ++d) {
      p = p.narrow(d, 0, g.size(d));
      m = m.narrow(d, 0, g.size(d));
      v = v.narrow(d, 0, g.size(d));
    }
    const at::Tensor grad = c.weightDecay != 0 ? g + c.weightDecay * p : g;
    m.mul_(c.beta1).add_(grad, 1 - c.beta1);
    v.mul_(c.beta2).addcmul_(grad, grad, 1 - c.beta2);
    p.addcdiv_(m, v.sqrt().div_(c.sqrtBiasCorrection2).add_(c.eps), -c.stepSize);
  }

 private Q_SLOTS:
  void matchesTensorOperationsOnTheBox() {
    at::manual_seed(21);
    for (auto type : {at::kFloat, at::kDouble})
      for (double decay : {0.0, 0.01})
        // Rows longer than a cache line and than the prefetch distance too (700, 3 x 9 x 600).
        for (auto box : std::vector<std::vector<int64_t>>{{13}, {7, 5}, {9, 11}, {3, 4, 6}, {5, 700}, {3, 9, 600}}) {
          std::vector<int64_t> full = box;
          for (auto& s : full) s += 2;
          const at::Tensor p0 = at::randn(full, type), m0 = at::randn(full, type) * 0.1,
                           v0 = at::rand(full, type) * 0.1, g = at::randn(box, type);
          const FusedAdamCoefficients c{0.9, 0.98, 1e-8, decay, 1e-2, std::sqrt(1 - 0.98 * 0.98)};
          at::Tensor p1 = p0.clone(), m1 = m0.clone(), v1 = v0.clone();
          at::Tensor p2 = p0.clone(), m2 = m0.clone(), v2 = v0.clone();
          QVERIFY(fusedAdamBox(p1, m1, v1, g, c));
          reference(p2, m2, v2, g, c);
          const double tol = type == at::kFloat ? 1e-5 : 1e-12;
          QVERIFY((p1 - p2).abs().max().item<double>() < tol);
          QVERIFY((m1 - m2).abs().max().item<double>() < tol);
          QVERIFY((v1 - v2).abs().max().item<double>() < tol);
          // Outside the box nothing moved.
          QVERIFY(at::equal((p1 - p0).ne(0), (p2 - p0).ne(0)) || (p1 - p2).abs().max().item<double>() == 0);
          at::Tensor outside = at::ones(full, at::kBool);
          at::Tensor inside = outside;
          for (int64_t d = 0; d < g.dim(); ++d) inside = inside.narrow(d, 0, g.size(d));
          inside.fill_(false);
          QVERIFY(at::equal(p1.masked_select(outside), p0.masked_select(outside)));
          QVERIFY(at::equal(v1.masked_select(outside), v0.masked_select(outside)));
        }
  }

  void gradScaleActsAsAScaledGradient() {
    at::manual_seed(22);
    for (auto type : {at::kFloat, at::kDouble}) {
      const at::Tensor p0 = at::randn({6, 9}, type), m0 = at::randn({6, 9}, type) * 0.1,
                       v0 = at::rand({6, 9}, type) * 0.1, g = at::randn({4, 9}, type) * 5;
      FusedAdamCoefficients c{0.9, 0.98, 1e-8, 0.01, 1e-2, std::sqrt(1 - 0.98 * 0.98)};
      c.gradScale = 0.37;
      at::Tensor p1 = p0.clone(), m1 = m0.clone(), v1 = v0.clone();
      at::Tensor p2 = p0.clone(), m2 = m0.clone(), v2 = v0.clone();
      QVERIFY(fusedAdamBox(p1, m1, v1, g, c));
      c.gradScale = 1.0;
      QVERIFY(fusedAdamBox(p2, m2, v2, g * 0.37, c));
      const double tol = type == at::kFloat ? 1e-6 : 1e-14;
      QVERIFY((p1 - p2).abs().max().item<double>() < tol);
      QVERIFY((m1 - m2).abs().max().item<double>() < tol);
      QVERIFY((v1 - v2).abs().max().item<double>() < tol);
      QVERIFY((p1 - p0).abs().max().item<double>() > 1e-4);  // it did update
    }
  }

  void readsBf16GradientsForFloatParameters() {
    // A bf16 gradient is read as its exact float value: the same update, bit for bit, as the
    // gradient widened to float first; with and without decay and scale, on a strided box.
    at::manual_seed(23);
    for (double decay : {0.0, 0.01})
      for (double scale : {1.0, 0.37}) {
        const at::Tensor p0 = at::randn({9, 700}), m0 = at::randn({9, 700}) * 0.1, v0 = at::rand({9, 700}) * 0.1;
        const at::Tensor g = (at::randn({6, 670}) * 3).to(at::kBFloat16);
        FusedAdamCoefficients c{0.9, 0.98, 1e-8, decay, 1e-2, std::sqrt(1 - 0.98 * 0.98)};
        c.gradScale = scale;
        at::Tensor p1 = p0.clone(), m1 = m0.clone(), v1 = v0.clone();
        at::Tensor p2 = p0.clone(), m2 = m0.clone(), v2 = v0.clone();
        QVERIFY(fusedAdamBox(p1, m1, v1, g, c));
        QVERIFY(fusedAdamBox(p2, m2, v2, g.to(at::kFloat), c));
        QVERIFY(at::equal(p1, p2));
        QVERIFY(at::equal(m1, m2));
        QVERIFY(at::equal(v1, v2));
        QVERIFY((p1 - p0).abs().max().item<double>() > 1e-4);
      }
    // Only float parameters take a bf16 gradient.
    at::Tensor p = at::zeros({4}, at::kDouble), m = at::zeros({4}, at::kDouble), v = at::zeros({4}, at::kDouble);
    QVERIFY(!fusedAdamBox(p, m, v, at::ones({4}, at::kBFloat16), FusedAdamCoefficients{0.9, 0.98, 1e-8, 0, 1e-2, 1}));
  }

  // A bf16 copy of the parameter (Bf16WeightShadow) gets exactly LibTorch's bf16 cast of each new
  // value in the box, whatever the gradient's type and the box's row length; nothing else in it.
  void writesTheBf16CastOfNewValuesIntoACopy() {
    at::manual_seed(23);
    for (auto gradType : {at::kFloat, at::kBFloat16})
      for (auto box : std::vector<std::vector<int64_t>>{{13}, {7, 5}, {5, 700}, {3, 9, 600}}) {
        std::vector<int64_t> full = box;
        for (auto& s : full) s += 3;
        at::Tensor p = at::randn(full), m = at::randn(full) * 0.1, v = at::rand(full) * 0.1;
        // Values near bf16 rounding ties too: a float with low half 0x8000 or 0x7FFF.
        p.view(-1).narrow(0, 0, 4).copy_(at::tensor({1.00390625f, 1.01171875f, -3.0078125f, 0.0f}));
        const at::Tensor g = at::randn(box).to(gradType);
        const at::Tensor sentinel = at::full(full, 7.0, at::kBFloat16);
        at::Tensor copy = sentinel.clone(), p2 = p.clone(), m2 = m.clone(), v2 = v.clone();
        const FusedAdamCoefficients c{0.9, 0.98, 1e-8, 0.01, 1e-3, std::sqrt(1 - 0.98 * 0.98)};
        QVERIFY(fusedAdamBox(p, m, v, g, c, copy));
        QVERIFY(fusedAdamBox(p2, m2, v2, g, c));
        QVERIFY(at::equal(p, p2));  // the copy changes nothing else
        at::Tensor inside = at::zeros(full, at::kBool), pIn = p, cIn = copy;
        at::Tensor mark = inside;
        for (int64_t d = 0; d < g.dim(); ++d) {
          mark = mark.narrow(d, 0, g.size(d));
          pIn = pIn.narrow(d, 0, g.size(d));
          cIn = cIn.narrow(d, 0, g.size(d));
        }
        mark.fill_(true);
        QVERIFY(at::equal(cIn, pIn.to(at::kBFloat16)));
        QVERIFY(at::equal(copy.masked_select(~inside), sentinel.masked_select(~inside)));
      }
    // A copy of the wrong type or shape: declined, nothing touched.
    at::Tensor p = at::zeros({4}), m = at::zeros({4}), v = at::zeros({4});
    const FusedAdamCoefficients c{0.9, 0.98, 1e-8, 0, 1e-2, 1};
    QVERIFY(!fusedAdamBox(p, m, v, at::ones({4}), c, at::zeros({4})));
    QVERIFY(!fusedAdamBox(p, m, v, at::ones({4}), c, at::zeros({5}, at::kBFloat16)));
    QCOMPARE(p.abs().sum().item<double>(), 0.0);
  }

  void declinesMismatchedTypes() {
    at::Tensor p = at::zeros({4}), m = at::zeros({4}), v = at::zeros({4});
    const FusedAdamCoefficients c{0.9, 0.98, 1e-8, 0, 1e-2, 1};
    QVERIFY(!fusedAdamBox(p, m, v, at::ones({4}, at::kDouble), c));
    QCOMPARE(p.abs().sum().item<double>(), 0.0);
  }
};

QTEST_APPLESS_MAIN(TestFusedAdam)
#include "test_fused_adam.moc"
