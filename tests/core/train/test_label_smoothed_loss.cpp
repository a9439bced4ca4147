// labelSmoothedLoss: fairseq's label-smoothed cross entropy as one autograd node. Its value and
// its gradient equal the textbook composition (log_softmax, gather, sum) that autograd
// differentiates on its own, with padding ignored, for fp32 and bf16 logits and any upstream scale.
#include <QtTest/QtTest>

#include <ATen/autocast_mode.h>
#include <torch/autograd.h>

#include "train/label_smoothed_loss.h"

using namespace automoe;

namespace {

constexpr int64_t kPad = 1;

// The reference: plain ATen operators, differentiated by autograd.
at::Tensor referenceLoss(const at::Tensor& logits, const at::Tensor& target, double eps, at::Tensor* nll) {
  const int64_t V = logits.size(-1);
  const at::Tensor lprobs = at::log_softmax(logits.to(at::kFloat), -1).reshape({-1, V});  // [B*T, V]
  const at::Tensor tgt = target.reshape({-1});                                             // [B*T]
  const at::Tensor mask = tgt.ne(kPad).to(at::kFloat);
  const at::Tensor n = (-lprobs.gather(1, tgt.unsqueeze(1)).squeeze(1) * mask).sum();  // [B*T, 1] -> [B*T]
  *nll = n;
  return (1.0 - eps) * n + (eps / static_cast<double>(V)) * (-lprobs.sum(-1) * mask).sum();
}

struct Case {
  at::Tensor logits, target;
};

Case makeCase(int64_t B, int64_t T, int64_t V, uint64_t seed) {
  at::manual_seed(seed);
  Case c;
  c.logits = 3 * at::randn({B, T, V});
  c.target = at::randint(2, V, {B, T}, at::kLong);
  c.target.narrow(1, T - 2, 2).fill_(kPad);  // padded tails
  c.target[0][0] = kPad;
  return c;
}

}  // namespace

class TestLabelSmoothedLoss final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void valueAndGradientMatchTheComposition() {
    for (double eps : {0.0, 0.1, 0.3}) {
      for (double scale : {1.0 / 37, 2.5, -0.7, 0.0}) {
        const Case c = makeCase(3, 7, 50, 11);
        const at::Tensor a = c.logits.clone().set_requires_grad(true);
        const at::Tensor b = c.logits.clone().set_requires_grad(true);
        const LossSums s = labelSmoothedLoss(a, c.target, eps, kPad);
        at::Tensor refNll;
        const at::Tensor ref = referenceLoss(b, c.target, eps, &refNll);
        QVERIFY(at::allclose(s.loss, ref, 1e-5, 1e-4));
        QVERIFY(at::allclose(s.nll, refNll, 1e-5, 1e-4));
        QCOMPARE(s.tokens, c.target.ne(kPad).sum().item<int64_t>());
        (s.loss * scale).backward();
        (ref * scale).backward();
        QVERIFY2(at::allclose(a.grad(), b.grad(), 1e-5, 1e-6),
                 qPrintable(QString("eps %1 scale %2: max diff %3").arg(eps).arg(scale)
                                .arg((a.grad() - b.grad()).abs().max().item<double>())));
      }
    }
  }

  void paddingRowsGetNoGradient() {
    const Case c = makeCase(2, 5, 30, 3);
    const at::Tensor a = c.logits.clone().set_requires_grad(true);
    labelSmoothedLoss(a, c.target, 0.1, kPad).loss.backward();
    const at::Tensor padRows = c.target.eq(kPad);  // [B, T]
    QVERIFY(padRows.sum().item<int64_t>() > 0);
    QCOMPARE(a.grad().index({padRows}).abs().sum().item<double>(), 0.0);
    QVERIFY(a.grad().index({padRows.logical_not()}).abs().sum().item<double>() > 0);
    // Each real row's gradient sums to zero (softmax minus a distribution).
    QVERIFY(a.grad().sum(-1).abs().max().item<double>() < 1e-5);
  }

  void nllIsNotDifferentiable() {
    const Case c = makeCase(2, 4, 20, 5);
    const at::Tensor a = c.logits.clone().set_requires_grad(true);
    const LossSums s = labelSmoothedLoss(a, c.target, 0.1, kPad);
    QVERIFY(s.loss.requires_grad());
    QVERIFY(!s.nll.requires_grad());
  }

  void bf16LogitsGetABf16GradientEqualToTheComposition() {
    const Case c = makeCase(2, 6, 64, 9);
    const at::Tensor a = c.logits.to(at::kBFloat16).set_requires_grad(true);
    const at::Tensor b = c.logits.to(at::kBFloat16).set_requires_grad(true);
    const LossSums s = labelSmoothedLoss(a, c.target, 0.1, kPad);
    at::Tensor refNll;
    const at::Tensor ref = referenceLoss(b, c.target, 0.1, &refNll);
    QCOMPARE(s.loss.scalar_type(), at::kFloat);
    QVERIFY(at::allclose(s.loss, ref, 1e-5, 1e-4));
    (s.loss / 10).backward();
    (ref / 10).backward();
    QCOMPARE(a.grad().scalar_type(), at::kBFloat16);
    QVERIFY(at::allclose(a.grad().to(at::kFloat), b.grad().to(at::kFloat), 1e-2, 1e-4));
  }

  // Logits wider than one block of rows and more rows than one block: the blockwise passes cover
  // every row exactly once.
  void manyBlocksMatchTheComposition() {
    const Case c = makeCase(5, 13, 40000, 21);  // 65 rows of 40000: one or two rows per block
    const at::Tensor a = c.logits.clone().set_requires_grad(true);
    const at::Tensor b = c.logits.clone().set_requires_grad(true);
    const LossSums s = labelSmoothedLoss(a, c.target, 0.1, kPad);
    at::Tensor refNll;
    const at::Tensor ref = referenceLoss(b, c.target, 0.1, &refNll);
    QVERIFY(at::allclose(s.loss, ref, 1e-5, 1e-3));
    QVERIFY(at::allclose(s.nll, refNll, 1e-5, 1e-3));
    (s.loss / 50).backward();
    (ref / 50).backward();
    QVERIFY(at::allclose(a.grad(), b.grad(), 1e-4, 1e-7));
  }

  // overwriteLogits: the gradient is written into the logits' own memory (no second buffer) and
  // equals the one computed into a fresh buffer, for fp32 and bf16; a leaf is never overwritten.
  void overwritingTheLogitsGivesTheSameGradientInTheirMemory() {
    for (const auto type : {at::kFloat, at::kBFloat16}) {
      const Case c = makeCase(3, 9, 300, 17);
      at::Tensor grads[2], logits[2];
      for (int overwrite = 0; overwrite < 2; ++overwrite) {
        const at::Tensor leaf = c.logits.to(type).clone().set_requires_grad(true);
        logits[overwrite] = leaf * 2;  // an intermediate, as a model's output is
        labelSmoothedLoss(logits[overwrite], c.target, 0.1, kPad, overwrite == 1).loss.div(7).backward();
        grads[overwrite] = leaf.grad();
      }
      QVERIFY(at::equal(grads[0], grads[1]));
      // d(leaf * 2) = 2 * d logits: the overwritten logits hold d logits, the kept ones their values.
      QVERIFY(at::equal(logits[1].detach() * 2, grads[1]));
      QVERIFY(at::equal(logits[0].detach(), c.logits.to(type) * 2));
    }
    const Case c = makeCase(2, 4, 50, 3);
    const at::Tensor leaf = c.logits.clone().set_requires_grad(true);
    labelSmoothedLoss(leaf, c.target, 0.1, kPad, true).loss.backward();
    QVERIFY(at::equal(leaf.detach(), c.logits));
    QVERIFY(at::allclose(leaf.grad().sum(-1), at::zeros({2, 4}), 0, 1e-5));
  }
};

QTEST_APPLESS_MAIN(TestLabelSmoothedLoss)
#include "test_label_smoothed_loss.moc"
