// oneDnnBf16Matmul: op(a) · op(b) [+ bias] of bf16 operands, summed in fp32, for every transpose
// combination, operands that are strided views (a weight's prefix slice, a transposed view), row
// counts that change from call to call (one kernel for all of them), wide results (through fp32),
// bf16 and fp32 biases and results, and empty sizes; bad operands are refused.
#include <QtTest/QtTest>

#include <limits>

#include <ATen/ATen.h>

#include "model/onednn_bf16_matmul.h"

using namespace automoe;

namespace {

// The exact products of the bf16 values, summed in double: what an fp32-accumulating bf16 GEMM
// approaches up to summation order.
at::Tensor reference(const at::Tensor& a, bool transA, const at::Tensor& b, bool transB, const at::Tensor& bias) {
  const at::Tensor A = transA ? a.t() : a, B = transB ? b.t() : b;
  at::Tensor r = at::mm(A.to(at::kDouble), B.to(at::kDouble));  // [M, N]
  if (bias.defined()) r += bias.to(at::kDouble);
  return r;
}

// Largest difference relative to the reference's largest magnitude.
double relDiff(const at::Tensor& got, const at::Tensor& ref) {
  const double scale = std::max(ref.abs().max().item<double>(), 1e-30);
  return (got.to(at::kDouble) - ref).abs().max().item<double>() / scale;
}

}  // namespace

class TestOneDnnBf16Matmul final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void init() {
    if (!oneDnnBf16MatmulAvailable()) QSKIP("this build or CPU has no oneDNN bf16 matmul");
  }

  void everyLayoutAndStrideMatchesTheExactProduct() {
    at::manual_seed(11);
    // Storage wider than the operands: prefix slices with row strides above their widths.
    const at::Tensor storeA = at::randn({160, 150}).to(at::kBFloat16), storeB = at::randn({120, 80}).to(at::kBFloat16);
    for (int64_t M : {1, 7, 64, 130}) {
      for (bool transA : {false, true}) {
        for (bool transB : {false, true}) {
          const int64_t K = 37, N = 45;
          const at::Tensor a = transA ? storeA.narrow(0, 0, K).narrow(1, 0, M)   // [K, M], row stride 150
                                      : storeA.narrow(0, 0, M).narrow(1, 0, K);  // [M, K]
          const at::Tensor b = transB ? storeB.narrow(0, 0, N).narrow(1, 0, K)   // [N, K], row stride 80
                                      : storeB.narrow(0, 0, K).narrow(1, 0, N);  // [K, N]
          const at::Tensor ref = reference(a, transA, b, transB, {});
          const at::Tensor f = oneDnnBf16Matmul(a, transA, b, transB, {}, at::kFloat);
          QCOMPARE(f.scalar_type(), at::kFloat);
          QCOMPARE(f.sizes(), (at::IntArrayRef{M, N}));
          QVERIFY2(relDiff(f, ref) < 1e-5, qPrintable(QString("M %1 transA %2 transB %3").arg(M).arg(transA).arg(transB)));
          const at::Tensor h = oneDnnBf16Matmul(a, transA, b, transB);
          QCOMPARE(h.scalar_type(), at::kBFloat16);
          QVERIFY(h.is_contiguous());
          QVERIFY(relDiff(h, ref) < 1.0 / 128);  // one bf16 rounding of the result
        }
      }
    }
  }

  void otherLayoutsAreReadAsTheirValues() {
    at::manual_seed(12);
    const at::Tensor a = at::randn({20, 33}).to(at::kBFloat16), b = at::randn({33, 18}).to(at::kBFloat16);
    const at::Tensor ref = reference(a, false, b, false, {});
    // A column-major operand (the transpose of a contiguous one) and a column-strided one.
    QVERIFY(relDiff(oneDnnBf16Matmul(a, false, b.t().contiguous().t(), false, {}, at::kFloat), ref) < 1e-5);
    at::Tensor wide = at::zeros({33, 36}, at::kBFloat16);
    wide.index_put_({at::indexing::Slice(), at::indexing::Slice(0, 36, 2)}, b);
    const at::Tensor strided = wide.index({at::indexing::Slice(), at::indexing::Slice(0, 36, 2)});  // [33, 18], stride 2
    QVERIFY(relDiff(oneDnnBf16Matmul(a, false, strided, false, {}, at::kFloat), ref) < 1e-5);
  }

  void biasesInEitherTypeAreAdded() {
    at::manual_seed(13);
    const at::Tensor a = at::randn({9, 24}).to(at::kBFloat16), w = at::randn({14, 24}).to(at::kBFloat16);
    for (at::ScalarType t : {at::kFloat, at::kBFloat16}) {
      const at::Tensor bias = (at::randn({14}) * 10).to(t);
      const at::Tensor got = oneDnnBf16Matmul(a, false, w, true, bias, at::kFloat);  // [9, 24] x [14, 24]^T
      QVERIFY(relDiff(got, reference(a, false, w, true, bias)) < 1e-5);
    }
    QVERIFY_EXCEPTION_THROWN(oneDnnBf16Matmul(a, false, w, true, at::randn({13}), at::kFloat), c10::Error);
  }

  void rowCountsChangingEveryCallShareOneKernel() {
    at::manual_seed(14);
    const at::Tensor w = at::randn({64, 40}).to(at::kBFloat16);
    oneDnnBf16Matmul(w, false, w, true, {}, at::kFloat);  // this layout's kernel built
    const int kernels = oneDnnBf16MatmulKernels();
    for (int64_t M = 1; M <= 300; M += 23) {  // as an expert's block does from batch to batch
      const at::Tensor x = at::randn({M, 40}).to(at::kBFloat16);
      QVERIFY(relDiff(oneDnnBf16Matmul(x, false, w, true, {}, at::kFloat), reference(x, false, w, true, {})) < 1e-5);
      const at::Tensor v = at::randn({M % 50 + 3, 40}).to(at::kBFloat16);  // other widths too
      QVERIFY(relDiff(oneDnnBf16Matmul(x, false, v, true, {}, at::kFloat), reference(x, false, v, true, {})) < 1e-5);
    }
    QCOMPARE(oneDnnBf16MatmulKernels(), kernels);
  }

  void wideResultsGoThroughFp32() {
    at::manual_seed(15);
    const at::Tensor x = at::randn({5, 32}).to(at::kBFloat16), w = at::randn({5000, 32}).to(at::kBFloat16);
    const at::Tensor ref = reference(x, false, w, true, {});
    const at::Tensor h = oneDnnBf16Matmul(x, false, w, true);  // [5, 5000], bf16
    QCOMPARE(h.scalar_type(), at::kBFloat16);
    // Rounded once from the fp32 sum: equal to rounding the fp32 result.
    QVERIFY(at::equal(h, oneDnnBf16Matmul(x, false, w, true, {}, at::kFloat).to(at::kBFloat16)));
    QVERIFY(relDiff(h, ref) < 1.0 / 128);
    QVERIFY(h.is_contiguous());
    // Infinities and NaNs stay what they are (a row with an infinite input: +-inf, or NaN where a
    // weight of 0 meets it), with a bias in either type.
    at::Tensor xi = x.clone(), wz = w.clone();
    xi[2][3] = std::numeric_limits<float>::infinity();
    wz.narrow(0, 0, 700).select(1, 3).zero_();
    for (const at::Tensor& bias : {at::Tensor(), at::randn({5000}), at::randn({5000}).to(at::kBFloat16)}) {
      const at::Tensor f = oneDnnBf16Matmul(xi, false, wz, true, bias, at::kFloat);
      const at::Tensor hi = oneDnnBf16Matmul(xi, false, wz, true, bias);
      QVERIFY(f.isnan().any().item<bool>() && f.isinf().any().item<bool>());
      QVERIFY(at::equal(hi.isnan(), f.isnan()));
      QVERIFY(at::equal(hi.isinf(), f.isinf()));
      const at::Tensor finite = f.isfinite();
      QVERIFY(at::equal(hi.masked_select(finite), f.masked_select(finite).to(at::kBFloat16)));
    }
  }

  void emptySizes() {
    const at::Tensor a0 = at::ones({0, 8}, at::kBFloat16), b = at::ones({8, 3}, at::kBFloat16);
    QCOMPARE(oneDnnBf16Matmul(a0, false, b, false).sizes(), (at::IntArrayRef{0, 3}));
    const at::Tensor aK = at::ones({4, 0}, at::kBFloat16), bK = at::ones({0, 3}, at::kBFloat16);
    QVERIFY(at::equal(oneDnnBf16Matmul(aK, false, bK, false, {}, at::kFloat), at::zeros({4, 3})));
    const at::Tensor bias = at::tensor({1.0f, 2.0f, 3.0f});
    QVERIFY(at::equal(oneDnnBf16Matmul(aK, false, bK, false, bias, at::kFloat), bias.expand({4, 3})));
  }

  void badOperandsAreRefused() {
    const at::Tensor f = at::ones({4, 8}), h = at::ones({8, 3}, at::kBFloat16);
    QVERIFY_EXCEPTION_THROWN(oneDnnBf16Matmul(f, false, h, false), c10::Error);                     // fp32 operand
    QVERIFY_EXCEPTION_THROWN(oneDnnBf16Matmul(h, false, h, false), c10::Error);                     // 3 != 8
    QVERIFY_EXCEPTION_THROWN(oneDnnBf16Matmul(h.view({2, 4, 3}), false, h, false), c10::Error);     // 3-D
    QVERIFY_EXCEPTION_THROWN(oneDnnBf16Matmul(h.t(), false, h, false, {}, at::kDouble), std::exception);  // result type
  }

  void theSwitchTurnsItOff() {
    setOneDnnBf16Matmul(false);
    QVERIFY(!oneDnnBf16MatmulAvailable());
    setOneDnnBf16Matmul(true);
    QVERIFY(oneDnnBf16MatmulAvailable());
  }
};

QTEST_APPLESS_MAIN(TestOneDnnBf16Matmul)
#include "test_onednn_bf16_matmul.moc"
