// gemmFriendlyRelu: the values and the input gradient of at::relu (bit for bit); on the CPU in
// fp32, widths that alias (multiples of 512 floats, 1024 or more) get their gradient in padded
// rows and other widths a contiguous one; without gradients, other types: plain relu; a 3-D input
// is refused.
#include <QtTest/QtTest>

#include <stdexcept>

#include "model/cpu_gemm.h"
#include "model/gemm_friendly_relu.h"

using namespace automoe;

class TestGemmFriendlyRelu final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void valuesAndGradientOfRelu_data() {
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("rowStride");
    QTest::newRow("1024 aliases") << 1024 << 1040;
    QTest::newRow("1536 aliases") << 1536 << 1552;
    QTest::newRow("512 does not") << 512 << 512;
    QTest::newRow("640 does not") << 640 << 640;
  }
  void valuesAndGradientOfRelu() {
    QFETCH(int, width);
    QFETCH(int, rowStride);
    at::manual_seed(5);
    at::Tensor x0 = at::randn({37, width});
    x0.index_put_({0, 0}, 0.0);  // relu's gradient at exactly 0 is 0
    const at::Tensor up = at::randn({37, width});
    const at::Tensor x = x0.clone().requires_grad_(true), ref = x0.clone().requires_grad_(true);
    const at::Tensor y = gemmFriendlyRelu(x), yRef = at::relu(ref);
    QVERIFY(at::equal(y, yRef));
    (y * up).sum().backward();
    (yRef * up).sum().backward();
    QVERIFY(at::equal(x.grad(), ref.grad()));
    // The layout as produced (a leaf's accumulated gradient is made contiguous): seen by a hook on
    // a non-leaf input.
    const at::Tensor h = x0.clone().requires_grad_(true) * 1.0;
    at::Tensor seen;
    h.register_hook([&seen](const at::Tensor& g) { seen = g; });
    (gemmFriendlyRelu(h) * up).sum().backward();
    QCOMPARE(seen.stride(0), static_cast<int64_t>(rowStride));
    QVERIFY(at::equal(seen, ref.grad()));
    QCOMPARE(gemmFriendlyRowStride(width), static_cast<int64_t>(rowStride));
  }

  void plainReluElsewhere() {
    const at::Tensor x = at::randn({5, 1024});
    QVERIFY(at::equal(gemmFriendlyRelu(x), at::relu(x)));  // no gradient wanted
    const at::Tensor b = at::randn({5, 1024}).to(at::kBFloat16).requires_grad_(true);
    gemmFriendlyRelu(b).sum().backward();
    QCOMPARE(b.grad().scalar_type(), at::kBFloat16);
    QVERIFY(at::equal(b.grad(), (b.detach() > 0).to(at::kBFloat16)));
  }

  void refusesOtherRanks() {
    const at::Tensor x = at::randn({2, 3, 1024}).requires_grad_(true);
    QVERIFY_THROWS_EXCEPTION(c10::Error, gemmFriendlyRelu(x));
  }
};

QTEST_APPLESS_MAIN(TestGemmFriendlyRelu)
#include "test_gemm_friendly_relu.moc"
