// columnSums: the column sums of bf16 and fp32 matrices match a double-precision reference to a
// few fp32 roundings (row strides wider than the rows, ragged last column block, no rows), give
// the same bits for any thread count, and other layouts and types fall back to ATen's sum.
#include <QtTest/QtTest>

#include <ATen/Parallel.h>

#include "model/column_sums.h"

using namespace automoe;

namespace {
// The largest difference from the double-precision sums, relative to the sums of magnitudes.
double relativeError(const at::Tensor& got, const at::Tensor& g) {
  const at::Tensor ref = g.to(at::kDouble).sum(0);
  const at::Tensor scale = g.to(at::kDouble).abs().sum(0).clamp_min(1e-30);
  return ((got.to(at::kDouble) - ref).abs() / scale).max().item<double>();
}
}  // namespace

class TestColumnSums final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void matchesAPreciseSum_data() {
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("columns");
    QTest::addColumn<int>("rowStride");
    for (int type : {int(at::kBFloat16), int(at::kFloat)}) {
      const char* name = type == int(at::kFloat) ? "fp32" : "bf16";
      QTest::newRow(qPrintable(QString("%1 1020x512").arg(name))) << type << 1020 << 512 << 512;
      QTest::newRow(qPrintable(QString("%1 ragged 333x301 in 320").arg(name))) << type << 333 << 301 << 320;
      QTest::newRow(qPrintable(QString("%1 tall 20000x17").arg(name))) << type << 20000 << 17 << 17;
      QTest::newRow(qPrintable(QString("%1 one row").arg(name))) << type << 1 << 700 << 700;
    }
  }
  void matchesAPreciseSum() {
    QFETCH(int, type);
    QFETCH(int, rows);
    QFETCH(int, columns);
    QFETCH(int, rowStride);
    at::manual_seed(3);
    const at::Tensor whole = at::randn({rows, rowStride}).to(static_cast<at::ScalarType>(type));
    const at::Tensor g = whole.narrow(1, 0, columns);  // [rows, columns], row stride rowStride
    const at::Tensor s = columnSums(g, at::kFloat);
    QCOMPARE(s.scalar_type(), at::kFloat);
    QCOMPARE(s.sizes(), at::IntArrayRef({columns}));
    // A plain running sum of 20000 rows drifts by far more than this; 128-row partial sums do not.
    const double err = relativeError(s, g);
    QVERIFY2(err < 2e-6, qPrintable(QString::number(err)));
  }

  // Many rows of one sign: a running fp32 sum makes ~sqrt(M) roundings of the total's size; with
  // partial sums of 128 rows, ~sqrt(M / 128).
  void manyRowsOfOneSign() {
    at::manual_seed(6);
    const at::Tensor g = 1 + 0.1 * at::randn({60000, 64});  // fp32: bf16 entries this size would add exactly
    const double err = relativeError(columnSums(g, at::kFloat), g);
    QVERIFY2(err < 1.5e-6, qPrintable(QString::number(err)));  // measured 6.1e-7; a running sum 7.0e-6
  }

  void noRowsGiveZeros() {
    const at::Tensor g = at::empty({0, 40}, at::kBFloat16);
    QVERIFY(at::equal(columnSums(g, at::kFloat), at::zeros({40})));
  }

  void sameBitsForAnyThreadCount() {
    at::manual_seed(4);
    const at::Tensor g = at::randn({1500, 1300}).to(at::kBFloat16);
    const int before = at::get_num_threads();
    at::set_num_threads(1);
    const at::Tensor one = columnSums(g, at::kFloat);
    at::set_num_threads(2);
    const at::Tensor two = columnSums(g, at::kFloat);
    at::set_num_threads(before);
    QVERIFY(at::equal(one, two));
  }

  void otherLayoutsAndTypesAsATen() {
    at::manual_seed(5);
    const at::Tensor t = at::randn({30, 20}).t();  // [20, 30], column stride 20
    QVERIFY(at::allclose(columnSums(t, at::kFloat), t.sum(0)));
    const at::Tensor d = at::randn({30, 20}, at::kDouble);
    const at::Tensor sd = columnSums(d, at::kDouble);
    QCOMPARE(sd.scalar_type(), at::kDouble);
    QVERIFY(at::allclose(sd, d.sum(0)));
  }
};

QTEST_APPLESS_MAIN(TestColumnSums)
#include "test_column_sums.moc"
