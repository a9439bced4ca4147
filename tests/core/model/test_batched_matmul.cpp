// batchedMatmul: the attention's batched products through the BLAS directly. Its value and both
// gradients equal at::matmul's for the layouts attention hands it (heads sliced out of a fused
// projection, keys transposed, plain contiguous), with or without a scale factor; under bf16
// autocast it takes the products in float32; and it steps aside where it does not apply.
#include <QtTest/QtTest>

#include <cmath>

#include <torch/autograd.h>

#include "model/batched_matmul.h"
#include "model/bf16_autocast.h"

using namespace automoe;

namespace {

// q, k, v as attention makes them: three chunks of one [B, T, 3q] projection, split into heads.
struct Heads {
  at::Tensor q, k, v;  // [B, h, T, hd] views with row stride 3q
};

Heads makeHeads(int64_t B, int64_t T, int64_t h, int64_t hd, uint64_t seed) {
  at::manual_seed(seed);
  const at::Tensor fused = at::randn({B, T, 3 * h * hd});
  const auto parts = fused.chunk(3, -1);  // 3 x [B, T, h*hd]
  Heads x;
  x.q = parts[0].view({B, T, h, hd}).transpose(1, 2);  // [B, T, q] -> [B, h, T, hd]
  x.k = parts[1].view({B, T, h, hd}).transpose(1, 2);
  x.v = parts[2].view({B, T, h, hd}).transpose(1, 2);
  return x;
}

// Value and both gradients of batchedMatmul(a, b, alpha) against at::matmul(a * alpha, b)'s, with
// an upstream gradient that is not all ones.
void compareWithMatmul(const at::Tensor& a0, const at::Tensor& b0, double alpha = 1.0) {
  // detach() keeps the views' strides: each leaf reads the memory exactly as attention's views do.
  const at::Tensor a1 = a0.detach().requires_grad_(true), b1 = b0.detach().requires_grad_(true);
  const at::Tensor a2 = a0.detach().requires_grad_(true), b2 = b0.detach().requires_grad_(true);
  const at::Tensor mine = batchedMatmul(a1, b1, alpha), ref = at::matmul(a2 * alpha, b2);
  QVERIFY2(at::allclose(mine, ref, 1e-5, 1e-5), "value differs from at::matmul");
  const at::Tensor up = at::randn(ref.sizes());
  (mine * up).sum().backward();
  (ref * up).sum().backward();
  QVERIFY2(at::allclose(a1.grad(), a2.grad(), 1e-5, 1e-5), "gradient of a differs");
  QVERIFY2(at::allclose(b1.grad(), b2.grad(), 1e-5, 1e-5), "gradient of b differs");
}

}  // namespace

class TestBatchedMatmul final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    const at::Tensor a = at::randn({2, 3, 4, 5}), b = at::randn({2, 3, 5, 6});
    if (!batchedMatmulUsesBlas(a, b)) QSKIP("this process's BLAS exports no sgemm_: batchedMatmul is at::matmul");
  }

  void attentionLayoutsMatchMatmul() {
    const Heads x = makeHeads(3, 7, 4, 8, 1);
    compareWithMatmul(x.q, x.k.transpose(-2, -1));  // scores: [B, h, T, hd] x [B, h, hd, T]
    const at::Tensor probs = at::softmax(at::randn({3, 4, 7, 7}), -1);
    compareWithMatmul(probs, x.v);                  // context: [B, h, T, T] x [B, h, T, hd]
    compareWithMatmul(at::randn({2, 5, 1, 16}), at::randn({2, 5, 16, 9}));  // one query (decoding)
  }

  void scaleRidesInTheProduct() {
    // Attention's 1/sqrt(hd) query scale, and a scale that is not a power of two.
    const Heads x = makeHeads(2, 5, 3, 8, 2);
    for (double alpha : {1.0 / std::sqrt(8.0), 0.3, -1.7}) {
      compareWithMatmul(x.q, x.k.transpose(-2, -1), alpha);
      compareWithMatmul(at::softmax(at::randn({2, 3, 5, 5}), -1), x.v, alpha);
    }
    // A scale that changes nothing would pass the comparisons above for alpha 1 only: check it acts.
    const at::Tensor one = batchedMatmul(x.q, x.k.transpose(-2, -1));
    const at::Tensor scaled = batchedMatmul(x.q, x.k.transpose(-2, -1), 0.3);
    QVERIFY(at::allclose(scaled, one * 0.3, 1e-5, 1e-6));
    QVERIFY(!at::allclose(scaled, one, 1e-3, 1e-3));
  }

  void gradientsFlowIntoStridedInputs() {
    // The gradient reaches the fused projection through the head views, as in attention.
    at::manual_seed(4);
    const at::Tensor fused = at::randn({2, 6, 3 * 16}).set_requires_grad(true);
    const at::Tensor fusedRef = fused.detach().clone().set_requires_grad(true);
    auto loss = [](const at::Tensor& f, bool mine) {
      const auto p = f.chunk(3, -1);  // 3 x [2, 6, 16]
      const at::Tensor q = p[0].view({2, 6, 2, 8}).transpose(1, 2), k = p[1].view({2, 6, 2, 8}).transpose(1, 2);
      const at::Tensor s = mine ? batchedMatmul(q, k.transpose(-2, -1)) : at::matmul(q, k.transpose(-2, -1));
      return s.pow(2).sum();
    };
    loss(fused, true).backward();
    loss(fusedRef, false).backward();
    QVERIFY(at::allclose(fused.grad(), fusedRef.grad(), 1e-5, 1e-5));
  }

  void emptyAndNonBlasLayoutsAreHandled() {
    const at::Tensor a = at::randn({2, 3, 4, 0}).set_requires_grad(true), b = at::randn({2, 3, 0, 5});
    const at::Tensor c = batchedMatmul(a, b);
    QCOMPARE(c.sizes().vec(), (std::vector<int64_t>{2, 3, 4, 5}));
    QCOMPARE(c.abs().sum().item<double>(), 0.0);
    // A matrix with no unit stride (every other column) is copied, not misread.
    const at::Tensor wide = at::randn({2, 2, 4, 12});
    compareWithMatmul(wide.slice(3, 0, 12, 2), at::randn({2, 2, 6, 3}));
  }

  // bf16 mixed precision: the products are taken in float32 from the bf16 operands (exact
  // products of the rounded values), and the gradients go back in bf16.
  void bf16AutocastTakesFloat32Products() {
    const Heads x = makeHeads(2, 7, 3, 8, 11);
    const at::Tensor q = x.q.to(at::kBFloat16).detach().requires_grad_(true);  // [2, 3, 7, 8]
    const at::Tensor k = x.k.to(at::kBFloat16).detach().requires_grad_(true);
    const at::Tensor probs = at::softmax(at::randn({2, 3, 7, 7}), -1).requires_grad_(true);  // float32
    const at::Tensor v = x.v.to(at::kBFloat16).detach().requires_grad_(true);
    at::Tensor scores, out;
    {
      Bf16Autocast bf16(true);
      QVERIFY(batchedMatmulUsesBlas(q, k.transpose(-2, -1)));
      QVERIFY(batchedMatmulUsesBlas(probs, v));
      scores = batchedMatmul(q, k.transpose(-2, -1), 0.25);  // [2, 3, 7, 7]
      out = batchedMatmul(probs, v);                         // [2, 3, 7, 8]
    }
    QCOMPARE(scores.scalar_type(), at::kFloat);
    QCOMPARE(out.scalar_type(), at::kFloat);
    // The same products in float32 of the same (bf16-rounded) values, outside autocast.
    const at::Tensor qf = q.detach().to(at::kFloat).requires_grad_(true), kf = k.detach().to(at::kFloat).requires_grad_(true);
    const at::Tensor pf = probs.detach().requires_grad_(true), vf = v.detach().to(at::kFloat).requires_grad_(true);
    const at::Tensor refScores = at::matmul(qf * 0.25, kf.transpose(-2, -1)), refOut = at::matmul(pf, vf);
    QVERIFY(at::allclose(scores, refScores, 1e-5, 1e-5));
    QVERIFY(at::allclose(out, refOut, 1e-5, 1e-5));
    const at::Tensor g1 = at::randn(scores.sizes()), g2 = at::randn(out.sizes());
    torch::autograd::backward({scores, out}, {g1, g2});
    torch::autograd::backward({refScores, refOut}, {g1, g2});
    for (const auto& [mine, ref] : {std::pair{q, qf}, std::pair{k, kf}, std::pair{v, vf}}) {
      QCOMPARE(mine.grad().scalar_type(), at::kBFloat16);
      QVERIFY(at::allclose(mine.grad().to(at::kFloat), ref.grad(), 1e-2, 1e-3));  // bf16 rounding
    }
    QCOMPARE(probs.grad().scalar_type(), at::kFloat);
    QVERIFY(at::allclose(probs.grad(), pf.grad(), 1e-5, 1e-5));
  }

  void stepsAsideWhereItDoesNotApply() {
    const at::Tensor a = at::randn({1, 2, 3, 4}), b = at::randn({1, 2, 4, 5});
    QVERIFY(batchedMatmulUsesBlas(a, b));
    {
      at::NoGradGuard noGrad;  // inference keeps at::matmul (and the latency it was measured with)
      QVERIFY(!batchedMatmulUsesBlas(a, b));
    }
    QVERIFY(!batchedMatmulUsesBlas(a.to(at::kDouble), b.to(at::kDouble)));
    QVERIFY(!batchedMatmulUsesBlas(a.view({2, 3, 4}), b.view({2, 4, 5})));
    QVERIFY(!batchedMatmulUsesBlas(a.to(at::kBFloat16), b));  // bf16 outside autocast: matmul's own
    {
      Bf16Autocast bf16(true);
      QVERIFY(!batchedMatmulUsesBlas(a.to(at::kHalf), b));
      at::NoGradGuard noGrad;
      QVERIFY(!batchedMatmulUsesBlas(a.to(at::kBFloat16), b));
    }
    const at::Tensor d = batchedMatmul(a.to(at::kDouble), b.to(at::kDouble), 0.5);
    QVERIFY(at::allclose(d, at::matmul(a.to(at::kDouble), b.to(at::kDouble)) * 0.5));
  }
};

QTEST_APPLESS_MAIN(TestBatchedMatmul)
#include "test_batched_matmul.moc"
