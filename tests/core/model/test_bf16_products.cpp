// bf16 products through fp32 (bf16_products.h): the rounding matches LibTorch's conversion bit for
// bit, into rows as long as GEMM operands want them; a product equals the exact product of its bf16
// operands rounded once; autocast stays off the fp32 product; sliceLinear under bf16 autocast
// computes what bf16 products define (and what LibTorch's own compute) while issuing none; Auto
// follows the CPU.
#include <QtTest/QtTest>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "model/bf16_autocast.h"
#include "model/bf16_products.h"
#include "model/cpu_gemm.h"
#include "model/slice_linear.h"
#include "support/bf16_product_counter.h"
#include "util/cpu_bf16.h"

using namespace automoe;

namespace {

// The bf16 spacing (ulp) at |v|: 2^(exponent - 7).
double bf16Ulp(double v) {
  const double a = std::max(std::fabs(v), double{std::numeric_limits<float>::min()});
  return std::ldexp(1.0, std::ilogb(a) - 7);
}

struct Grads {
  at::Tensor y, dx, dw, db;
};

// sliceLinear(x, w, b) under bf16 autocast with the given product path; y and the gradients of
// sum(y * up) as fp32.
Grads runSliceLinear(CpuBf16Products mode, const at::Tensor& x0, const at::Tensor& w0, const at::Tensor& b0,
                     const at::Tensor& up, int* bf16Products) {
  setCpuBf16Products(mode);
  const at::Tensor x = x0.detach().requires_grad_(true), w = w0.detach().requires_grad_(true),
                   b = b0.detach().requires_grad_(true);
  test::Bf16ProductCounter counter;
  at::Tensor y;
  {
    Bf16Autocast autocast(true);
    y = sliceLinear(x, w, b);
  }
  (y.to(at::kFloat) * up).sum().backward();
  *bf16Products = counter.count();
  setCpuBf16Products(CpuBf16Products::Auto);
  return {y.detach(), x.grad(), w.grad(), b.grad()};
}

// Largest |a - b| over the scale of b.
double relErr(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor af = a.to(at::kDouble), bf = b.to(at::kDouble);
  return (af - bf).abs().max().item<double>() / (bf.abs().max().item<double>() + 1e-30);
}

}  // namespace

class TestBf16Products : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void roundingMatchesLibTorchsConversion() {
    at::manual_seed(1);
    at::Tensor x = at::randn({37, 300}) * 1e3;
    // Ties to even, subnormals, signed zero, infinities and NaN.
    const float special[] = {1.00390625f,  1.01171875f, -1.00390625f, 1e-40f, -1e-42f, -0.0f, 0.0f,
                             INFINITY,     -INFINITY,   NAN,          3.4e38f, -3.39e38f, 65504.0f};
    for (int i = 0; i < 13; ++i) x[3][i] = special[i];
    const at::Tensor wide = at::randn({9, 1040}) * 1e3;
    wide[2].narrow(0, 0, 13).copy_(x[3].narrow(0, 0, 13));
    for (const at::Tensor& t : {x, x.narrow(1, 5, 200), x.narrow(0, 2, 30).narrow(1, 0, 1), wide.narrow(1, 0, 1024)}) {
      const at::Tensor mine = roundedToBf16(t), ref = t.to(at::kBFloat16).to(at::kFloat);
      QCOMPARE(mine.scalar_type(), at::kFloat);
      QCOMPARE(mine.sizes(), t.sizes());
      QCOMPARE(mine.stride(1), int64_t{1});
      QCOMPARE(mine.stride(0), gemmFriendlyRowStride(t.size(1)));  // 1024 columns: rows of 1040
      const at::Tensor same = (mine == ref) | (at::isnan(mine) & at::isnan(ref));
      QVERIFY(same.all().item<bool>());
      // Signed zeros keep their sign (NaN's sign differs between LibTorch's own scalar and vector
      // conversions, so it is not compared).
      const at::Tensor numbers = ~at::isnan(ref);
      QVERIFY(at::equal(at::signbit(mine).masked_select(numbers), at::signbit(ref).masked_select(numbers)));
    }
  }

  void productIsTheExactProductRoundedOnce() {
    at::manual_seed(2);
    const int64_t M = 67, K = 300, N = 45;
    for (int t = 0; t < 4; ++t) {
      const bool ta = t & 1, tb = t & 2;
      const at::Tensor a = at::randn(ta ? at::IntArrayRef{K, M} : at::IntArrayRef{M, K}).to(at::kBFloat16);
      const at::Tensor b = at::randn(tb ? at::IntArrayRef{N, K} : at::IntArrayRef{K, N}).to(at::kBFloat16);
      const at::Tensor bias = at::randn({N}).to(at::kBFloat16);
      const at::Tensor da = (ta ? a.t() : a).to(at::kDouble), db = (tb ? b.t() : b).to(at::kDouble);
      const at::Tensor exact = da.mm(db) + bias.to(at::kDouble);  // [M, N]
      const at::Tensor y = bf16MatmulViaFloat(a, ta, b, tb, bias);
      QCOMPARE(y.scalar_type(), at::kBFloat16);
      QCOMPARE(y.sizes(), (at::IntArrayRef{M, N}));
      // Rounded once: within half a bf16 ulp of the exact value, plus fp32 summation error.
      const auto ye = y.to(at::kDouble), ex = exact;
      int64_t equalToRounded = 0;
      const at::Tensor rounded = exact.to(at::kFloat).to(at::kBFloat16).to(at::kDouble);
      for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j) {
          const double v = ex[i][j].item<double>(), got = ye[i][j].item<double>();
          QVERIFY2(std::fabs(got - v) <= 0.5 * bf16Ulp(v) + 1e-5 * std::fabs(v) + 1e-6,
                   qPrintable(QString("entry %1,%2: %3 vs exact %4").arg(i).arg(j).arg(got).arg(v)));
          equalToRounded += got == rounded[i][j].item<double>();
        }
      QVERIFY(equalToRounded >= M * N * 99 / 100);
      // An fp32 result is not rounded to bf16: fp32 summation error only.
      const at::Tensor yf = bf16MatmulViaFloat(a, ta, b, tb, bias, at::kFloat);
      QCOMPARE(yf.scalar_type(), at::kFloat);
      QVERIFY(relErr(yf, exact) < 1e-5);
      QVERIFY(relErr(yf.to(at::kBFloat16), y) == 0);
    }
  }

  void fp32OperandsHoldingBf16ValuesAreTakenAsThey() {
    at::manual_seed(3);
    const at::Tensor a = at::randn({20, 64}).to(at::kBFloat16), w = at::randn({30, 64});
    const at::Tensor fromFloat = bf16MatmulViaFloat(a, false, roundedToBf16(w), true);
    const at::Tensor fromBf16 = bf16MatmulViaFloat(a, false, w.to(at::kBFloat16), true);
    QVERIFY(at::equal(fromFloat, fromBf16));
  }

  void autocastStaysOffTheFloatProduct() {
    at::manual_seed(4);
    const at::Tensor a = at::randn({40, 128}).to(at::kBFloat16), b = at::randn({128, 50}).to(at::kBFloat16);
    const at::Tensor outside = bf16MatmulViaFloat(a, false, b, false, {}, at::kFloat);
    test::Bf16ProductCounter counter;
    at::Tensor inside;
    {
      Bf16Autocast autocast(true);
      inside = bf16MatmulViaFloat(a, false, b, false, {}, at::kFloat);
    }
    QCOMPARE(counter.count(), 0);  // no product was lowered to bf16 again
    QCOMPARE(inside.scalar_type(), at::kFloat);
    QVERIFY(at::equal(inside, outside));
  }

  void sliceLinearComputesWhatBf16ProductsDefine() {
    at::manual_seed(5);
    const at::Tensor x = at::randn({3, 70, 96}), w = at::randn({160, 96}) * 0.1, b = at::randn({160});
    // A prefix slice of a wider weight, as the supernet hands sliceLinear.
    const at::Tensor wide = at::randn({200, 128}) * 0.1;
    const at::Tensor ws = wide.narrow(0, 0, 160).narrow(1, 0, 96);
    const at::Tensor up = at::randn({3, 70, 160});
    auto bf16Values = [](const at::Tensor& t) { return t.to(at::kBFloat16).to(at::kDouble); };
    for (const at::Tensor& weight : {w, ws}) {
      int nativeCount = 0, floatCount = 0;
      const Grads nat = runSliceLinear(CpuBf16Products::Native, x, weight, b, up, &nativeCount);
      const Grads viaF = runSliceLinear(CpuBf16Products::ViaFloat, x, weight, b, up, &floatCount);
      QVERIFY(nativeCount >= 3);  // forward, input and weight gradients as bf16 products
      QCOMPARE(floatCount, 0);
      QCOMPARE(viaF.y.scalar_type(), at::kBFloat16);
      QCOMPARE(viaF.dx.scalar_type(), at::kFloat);
      QCOMPARE(viaF.dw.scalar_type(), at::kFloat);
      QCOMPARE(viaF.dx.sizes(), x.sizes());
      QCOMPARE(viaF.dw.sizes(), weight.sizes());
      // What bf16 products compute, exactly (in double): the operands as bf16 (the upstream gradient
      // reaches the bf16 output as bf16).
      const at::Tensor xb = bf16Values(x).reshape({-1, 96}), wb = bf16Values(weight), ub = bf16Values(up).reshape({-1, 160});
      const at::Tensor yExact = xb.mm(wb.t()) + bf16Values(b);  // [210, 160]
      const at::Tensor dxExact = ub.mm(wb), dwExact = ub.t().mm(xb), dbExact = ub.sum(0);
      // The output and the weight gradient are rounded once to bf16 (half a bf16 ulp, 2^-8 of a
      // value at most; the weight gradient is bf16 as a SliceRecorder keeps it); the input gradient reaches
      // the fp32 input unrounded.
      QVERIFY2(relErr(viaF.y.reshape({-1, 160}), yExact) < 4e-3, qPrintable(QString::number(relErr(viaF.y.reshape({-1, 160}), yExact))));
      QVERIFY2(relErr(viaF.dx.reshape({-1, 96}), dxExact) < 1e-5, qPrintable(QString::number(relErr(viaF.dx.reshape({-1, 96}), dxExact))));
      QVERIFY2(relErr(viaF.dw, dwExact) < 4e-3, qPrintable(QString::number(relErr(viaF.dw, dwExact))));
      QVERIFY(at::equal(viaF.dw, viaF.dw.to(at::kBFloat16).to(at::kFloat)));
      QVERIFY(relErr(viaF.db, dbExact) < 1e-5);
      // LibTorch's own bf16 products compute the same (its reference loops sum some products in
      // bf16, a few percent off on these sizes).
      QVERIFY(relErr(viaF.y, nat.y) < 0.05);
      QVERIFY(relErr(viaF.dx, nat.dx) < 0.05);
      QVERIFY(relErr(viaF.dw, nat.dw) < 0.05);
    }
  }

  void autoFollowsTheCpu() {
    setCpuBf16Products(CpuBf16Products::Auto);
    QCOMPARE(bf16ProductsViaFloat(at::kCPU), cpuBf16Support() == CpuBf16::Reference);
    QVERIFY(!bf16ProductsViaFloat(at::Device(at::kCUDA, 0)));
    setCpuBf16Products(CpuBf16Products::ViaFloat);
    QVERIFY(bf16ProductsViaFloat(at::kCPU));
    QVERIFY(!bf16ProductsViaFloat(at::Device(at::kCUDA, 0)));
    setCpuBf16Products(CpuBf16Products::Native);
    QVERIFY(!bf16ProductsViaFloat(at::kCPU));
    setCpuBf16Products(CpuBf16Products::Auto);
  }
};

QTEST_APPLESS_MAIN(TestBf16Products)
#include "test_bf16_products.moc"
