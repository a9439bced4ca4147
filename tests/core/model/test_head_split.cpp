// splitHeads: the head-major views of chunk + view + transpose, sharing the fused tensor's storage;
// gradients equal to autograd's through that reference bit for bit (whatever the incoming
// gradients' layouts; a part that is not used gets zeros), in padded rows where the fused width aliases (1536 = 3 x 512) and contiguous ones where
// it does not; plain views without gradients; bad shapes refused.
#include <QtTest/QtTest>

#include <vector>

#include "model/head_split.h"

using namespace automoe;

namespace {

std::vector<at::Tensor> reference(const at::Tensor& fused, int64_t parts, int64_t heads) {
  std::vector<at::Tensor> out;
  const int64_t B = fused.size(0), T = fused.size(1), q = fused.size(2) / parts;
  for (const at::Tensor& c : fused.chunk(parts, -1))
    out.push_back(c.reshape({B, T, heads, q / heads}).transpose(1, 2));  // [B, T, q] -> [B, h, T, hd]
  return out;
}

}  // namespace

class TestHeadSplit final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void viewsAndGradientsOfTheReference_data() {
    QTest::addColumn<int>("parts");
    QTest::addColumn<int>("q");
    QTest::addColumn<int>("heads");
    QTest::addColumn<bool>("useAll");
    QTest::addColumn<int>("rowStride");
    QTest::newRow("q/k/v 3x512, 8 heads") << 3 << 512 << 8 << true << 1552;
    QTest::newRow("k/v 2x320, 4 heads") << 2 << 320 << 4 << true << 640;
    QTest::newRow("k/v 2x512, last part unused") << 2 << 512 << 8 << false << 1040;
  }
  void viewsAndGradientsOfTheReference() {
    QFETCH(int, parts);
    QFETCH(int, q);
    QFETCH(int, heads);
    QFETCH(bool, useAll);
    QFETCH(int, rowStride);
    at::manual_seed(9);
    const at::Tensor base = at::randn({3, 7, parts * q});
    const at::Tensor a = base.clone().requires_grad_(true), b = base.clone().requires_grad_(true);
    const at::Tensor fa = a * 1.0, fb = b * 1.0;  // non-leaf fused projections
    const std::vector<at::Tensor> got = splitHeads(fa, parts, heads), want = reference(fb, parts, heads);
    QCOMPARE(static_cast<int>(got.size()), parts);
    at::Tensor lossA = at::zeros({}), lossB = at::zeros({});
    for (int p = 0; p < parts; ++p) {
      QCOMPARE(got[p].sizes(), want[p].sizes());
      QVERIFY(at::equal(got[p], want[p]));
      QVERIFY(got[p].data_ptr<float>() == fa.data_ptr<float>() + p * q);  // a view, no copy
      if (!useAll && p == parts - 1) continue;
      if (p == 1) {  // used transposed, as keys are: its gradient arrives with a non-unit row stride
        const at::Tensor up = at::randn(got[p].transpose(-2, -1).sizes());
        lossA = lossA + (got[p].transpose(-2, -1) * up).sum();
        lossB = lossB + (want[p].transpose(-2, -1) * up).sum();
        continue;
      }
      const at::Tensor up = at::randn(got[p].sizes());
      lossA = lossA + (got[p] * up).sum();
      lossB = lossB + (want[p] * up).sum();
    }
    lossA.backward();
    lossB.backward();
    QVERIFY(at::equal(a.grad(), b.grad()));
    if (!useAll) QCOMPARE(a.grad().narrow(2, (parts - 1) * q, q).abs().sum().item<double>(), 0.0);
    // The gradient as splitHeads produced it (before the multiply's backward copies it): the
    // gradient of the fused tensor seen by a hook.
    const at::Tensor c = base.clone().requires_grad_(true);
    const at::Tensor fc = c * 1.0;
    at::Tensor seen;
    fc.register_hook([&seen](const at::Tensor& g) { seen = g; });
    at::Tensor loss = at::zeros({});
    for (const at::Tensor& h : splitHeads(fc, parts, heads)) loss = loss + h.sum();
    loss.backward();
    QCOMPARE(seen.stride(1), static_cast<int64_t>(rowStride));
  }

  void plainViewsWithoutGradients() {
    const at::Tensor fused = at::randn({2, 5, 3 * 64});
    const std::vector<at::Tensor> got = splitHeads(fused, 3, 4), want = reference(fused, 3, 4);
    for (int p = 0; p < 3; ++p) QVERIFY(at::equal(got[p], want[p]));
    QVERIFY(got[1].data_ptr<float>() == fused.data_ptr<float>() + 64);
  }

  void refusesBadShapes() {
    QVERIFY_THROWS_EXCEPTION(c10::Error, splitHeads(at::randn({2, 5, 100}), 3, 4));  // 100 not 3 x 4 x n
    QVERIFY_THROWS_EXCEPTION(c10::Error, splitHeads(at::randn({10, 96}), 3, 4));       // not [B, T, P*q]
  }
};

QTEST_APPLESS_MAIN(TestHeadSplit)
#include "test_head_split.moc"
