// boxSquaredNorm: the sum of squares of a gradient box as the double-precision reference gives
// it, for float, double and bf16, contiguous and narrowed boxes, rows longer than a float partial
// sum's chunk; a bf16 box exactly as its float widening; the same bits on 1 and 2 threads; declines
// what it cannot read (a transposed box, an integer tensor) with nullopt.
#include <QtTest/QtTest>

#include <ATen/Parallel.h>

#include "train/box_norm.h"

using namespace automoe;

class TestBoxNorm final : public QObject {
  Q_OBJECT

 private:
  static double reference(const at::Tensor& g) { return g.to(at::kDouble).pow(2).sum().item<double>(); }

  // The leading box of a tensor 3 entries larger in every dimension (rows at a stride).
  static at::Tensor narrowedBox(const std::vector<int64_t>& box, at::ScalarType type) {
    std::vector<int64_t> full = box;
    for (auto& s : full) s += 3;
    at::Tensor t = at::randn(full).to(type);
    for (int64_t d = 0; d < static_cast<int64_t>(box.size()); ++d) t = t.narrow(d, 0, box[d]);
    return t;
  }

 private Q_SLOTS:
  void matchesTheDoubleReference() {
    at::manual_seed(31);
    for (auto type : {at::kFloat, at::kDouble, at::kBFloat16})
      for (auto box : std::vector<std::vector<int64_t>>{{13}, {7, 5}, {5, 700}, {3, 9, 600}, {2, 9000}, {0, 4}})
        for (bool narrowed : {false, true}) {
          const at::Tensor g = narrowed ? narrowedBox(box, type) : at::randn(box).to(type);
          if (narrowed && box.size() > 1 && g.numel() > 0) QVERIFY(!g.is_contiguous());  // rows at a stride
          const auto got = boxSquaredNorm(g);
          QVERIFY(got.has_value());
          const double want = reference(g);
          QVERIFY2(std::abs(*got - want) <= 1e-6 * want + 1e-12,
                   qPrintable(QString("%1 vs %2").arg(*got, 0, 'g', 17).arg(want, 0, 'g', 17)));
        }
    const auto scalar = boxSquaredNorm(at::tensor(3.0f));
    QVERIFY(scalar.has_value());
    QCOMPARE(*scalar, 9.0);
  }

  void bf16BoxIsItsFloatWidening() {
    at::manual_seed(32);
    const at::Tensor g = narrowedBox({6, 5000}, at::kBFloat16) * 7;
    const auto a = boxSquaredNorm(g), b = boxSquaredNorm(g.to(at::kFloat));
    QVERIFY(a.has_value() && b.has_value());
    QCOMPARE(*a, *b);  // bit for bit: the same sums over the same float values
  }

  void sameBitsOnOneAndTwoThreads() {
    at::manual_seed(33);
    const at::Tensor g = narrowedBox({400, 1000}, at::kFloat);  // rows enough to split
    const int before = at::get_num_threads();
    at::set_num_threads(1);
    const auto one = boxSquaredNorm(g);
    at::set_num_threads(2);
    const auto two = boxSquaredNorm(g);
    at::set_num_threads(before);
    QVERIFY(one.has_value() && two.has_value());
    QCOMPARE(*one, *two);
  }

  void declinesWhatItCannotRead() {
    QVERIFY(!boxSquaredNorm(at::randn({8, 6}).t()).has_value());     // last dimension at a stride
    QVERIFY(!boxSquaredNorm(at::ones({4}, at::kInt)).has_value());    // not floating point
    QVERIFY(!boxSquaredNorm(at::ones({4}, at::kHalf)).has_value());   // a type it does not read
  }
};

QTEST_APPLESS_MAIN(TestBoxNorm)
#include "test_box_norm.moc"
