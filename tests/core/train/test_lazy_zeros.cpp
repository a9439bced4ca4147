// lazyZerosLike: a zero, writable, contiguous tensor of the template's shape and type, large
// (mapped) or small (ordinary allocation), that survives its creator's scope.
#include <QtTest/QtTest>

#include "train/lazy_zeros.h"

using namespace automoe;

class TestLazyZeros final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void zerosOfTheTemplatesShape() {
    for (auto sizes : std::vector<std::vector<int64_t>>{{3, 5}, {1024, 700}, {7, 300, 200}}) {
      const at::Tensor t = at::randn(sizes).transpose(0, 1);  // a non-contiguous template
      at::Tensor z = lazyZerosLike(t);
      QCOMPARE(z.sizes(), t.sizes());
      QCOMPARE(z.scalar_type(), t.scalar_type());
      QVERIFY(z.is_contiguous());
      QVERIFY(!z.requires_grad());
      QCOMPARE(z.abs().sum().item<double>(), 0.0);
      z.narrow(0, 0, 1).fill_(2.0);
      QCOMPARE(z.sum().item<double>(), 2.0 * static_cast<double>(z.numel() / z.size(0)));
    }
    at::Tensor kept;
    { kept = lazyZerosLike(at::empty({512, 1024}, at::kDouble)); }
    kept.add_(1.0);
    QCOMPARE(kept.sum().item<double>(), 512.0 * 1024.0);
  }
};

QTEST_APPLESS_MAIN(TestLazyZeros)
#include "test_lazy_zeros.moc"
