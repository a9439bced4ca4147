// attentionScores / attentionMix: the direct per-head sgemm path (fp32 CPU with oneDNN products)
// gives the same values and gradients as the at::matmul path, for strided inputs (the column
// blocks of a fused projection) and several heads.
#include <QtTest/QtTest>

#include <ATen/ATen.h>

#include "model/attention_products.h"
#include "model/cpu_gemm.h"

using namespace automoe;

namespace {

double relErr(const at::Tensor& got, const at::Tensor& want) {
  return (got - want).abs().max().item<double>() / (want.abs().max().item<double>() + 1e-30);
}

}  // namespace

class TestAttentionProducts final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void directPathMatchesMatmul_data() {
    QTest::addColumn<int>("B");
    QTest::addColumn<int>("T");
    QTest::addColumn<int>("S");
    QTest::addColumn<int>("heads");
    QTest::newRow("training") << 3 << 5 << 7 << 4;
    QTest::newRow("one decoding step") << 2 << 1 << 9 << 2;
    QTest::newRow("one head") << 1 << 4 << 4 << 1;
    QTest::newRow("wide") << 4 << 31 << 29 << 8;
  }

  void directPathMatchesMatmul() {
    if (!oneDnnGemmCompiledIn()) QSKIP("this build has no oneDNN: attention uses at::matmul only");
    QFETCH(int, B);
    QFETCH(int, T);
    QFETCH(int, S);
    QFETCH(int, heads);
    const CpuGemm saved = cpuGemm();
    at::manual_seed(7);
    const int64_t hd = 6, qkv = heads * hd;
    const at::Tensor fusedQ = at::randn({B, T, 3 * qkv}), fusedKv = at::randn({B, S, 2 * qkv});
    const at::Tensor gradOut = at::randn({B, T, qkv});
    auto run = [&](CpuGemm backend) {
      setCpuGemm(backend);
      const at::Tensor a = fusedQ.clone().requires_grad_(true), c = fusedKv.clone().requires_grad_(true);
      const at::Tensor q = a.narrow(2, qkv, qkv), k = c.narrow(2, 0, qkv), v = c.narrow(2, qkv, qkv);  // strided
      const at::Tensor s = attentionScores(q, k, heads, 0.37);  // [B, h, T, S]
      const at::Tensor p = at::softmax(s, -1);
      const at::Tensor o = attentionMix(p, v, heads);  // [B, T, qkv]
      (o * gradOut).sum().backward();
      return std::vector<at::Tensor>{s.detach(), o.detach(), a.grad(), c.grad()};
    };
    const auto ref = run(CpuGemm::Blas), got = run(CpuGemm::OneDnn);
    setCpuGemm(saved);
    QCOMPARE(got[0].sizes(), (at::IntArrayRef{B, heads, T, S}));
    QCOMPARE(got[1].sizes(), (at::IntArrayRef{B, T, qkv}));
    for (size_t i = 0; i < ref.size(); ++i)
      QVERIFY2(relErr(got[i], ref[i]) < 1e-5, qPrintable(QString("tensor %1: %2").arg(i).arg(relErr(got[i], ref[i]))));
    QCOMPARE(got[2].narrow(2, 0, qkv).abs().sum().item<double>(), 0.0);  // only q's block of the fused input
  }
};

QTEST_APPLESS_MAIN(TestAttentionProducts)
#include "test_attention_products.moc"
