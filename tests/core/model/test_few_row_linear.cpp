// linearFewRows: equal to at::linear (float rounding) for every row count, strided prefix slices,
// with and without bias; falls back to at::linear whenever autograd needs the graph; bf16 inference
// takes its products through fp32 where bf16 products are set to (bf16_products.h).
#include <QtTest/QtTest>

#include <ATen/core/grad_mode.h>

#include "model/bf16_autocast.h"
#include "model/bf16_products.h"
#include "model/few_row_linear.h"
#include "support/bf16_product_counter.h"

using namespace automoe;

class TestFewRowLinear final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void matchesAtLinear() {
    at::manual_seed(1);
    at::NoGradGuard noGrad;
    for (int64_t rows : {1, 2, 3, 5, 6, 7, 11, 16, 17, 40}) {
      for (auto [n, k] : std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {7, 5}, {33, 16}, {130, 47}, {64, 640}}) {
        const at::Tensor x = at::randn({rows, k});
        const at::Tensor w = at::randn({n, k});
        const at::Tensor b = at::randn({n});
        const at::Tensor ref = at::linear(x, w, b);
        const double err = (linearFewRows(x, w, b) - ref).abs().max().item<double>();
        QVERIFY2(err < 1e-4 * std::sqrt(double(k)), qPrintable(QString("%1x%2x%3: %4").arg(rows).arg(n).arg(k).arg(err)));
        QVERIFY((linearFewRows(x, w, at::Tensor()) - at::linear(x, w)).abs().max().item<double>() < 1e-3);
      }
    }
  }

  void handlesPrefixSlicesAndLeadingDimensions() {
    at::manual_seed(2);
    at::NoGradGuard noGrad;
    const at::Tensor stored = at::randn({50, 40});
    const at::Tensor bias = at::randn({50});
    const at::Tensor w = stored.narrow(0, 0, 30).narrow(1, 0, 21);  // [30, 21], row stride 40
    const at::Tensor x = at::randn({2, 5, 21});                        // [B, T, in]
    const at::Tensor y = linearFewRows(x, w, bias.narrow(0, 0, 30));
    QCOMPARE(y.sizes(), (at::IntArrayRef{2, 5, 30}));
    QVERIFY((y - at::linear(x, w, bias.narrow(0, 0, 30))).abs().max().item<double>() < 1e-4);
    // A non-contiguous input (a transposed view) is handled too.
    const at::Tensor xt = at::randn({21, 3}).t();
    QVERIFY((linearFewRows(xt, w, at::Tensor()) - at::linear(xt, w)).abs().max().item<double>() < 1e-4);
  }

  void keepsAutogradWhenNeeded() {
    at::manual_seed(3);
    const at::Tensor w = at::randn({8, 6}).requires_grad_(true);
    const at::Tensor x = at::randn({3, 6});
    const at::Tensor y = linearFewRows(x, w, at::Tensor());
    QVERIFY(y.requires_grad());
    y.sum().backward();
    QVERIFY(w.grad().defined());
    QVERIFY((w.grad() - x.sum(0).unsqueeze(0).expand({8, 6})).abs().max().item<double>() < 1e-5);
  }

  void bf16InferenceTakesItsProductsThroughFp32() {
    at::manual_seed(4);
    at::NoGradGuard noGrad;
    const at::Tensor stored = at::randn({80, 96}), bias = at::randn({80});
    const at::Tensor w = stored.narrow(0, 0, 50).narrow(1, 0, 64);  // [50, 64], row stride 96
    const at::Tensor x = at::randn({3, 20, 64});                      // 60 rows: not a few
    auto bf16Values = [](const at::Tensor& t) { return t.to(at::kBFloat16).to(at::kDouble); };
    const at::Tensor exact = (bf16Values(x).reshape({-1, 64}).mm(bf16Values(w).t()) + bf16Values(bias.narrow(0, 0, 50)))
                                 .view({3, 20, 50});  // [60, 50] -> [3, 20, 50]
    setCpuBf16Products(CpuBf16Products::ViaFloat);
    // fp32 weights under autocast (validation during training), and bf16 weights (the search's copy).
    for (const bool bf16Weights : {false, true}) {
      const at::Tensor wi = bf16Weights ? w.to(at::kBFloat16) : w;
      const at::Tensor bi = bf16Weights ? bias.narrow(0, 0, 50).to(at::kBFloat16) : bias.narrow(0, 0, 50);
      test::Bf16ProductCounter counter;
      at::Tensor y;
      {
        Bf16Autocast autocast(true);
        y = linearFewRows(bf16Weights ? x.to(at::kBFloat16) : x, wi, bi);
      }
      QCOMPARE(counter.count(), 0);
      QCOMPARE(y.scalar_type(), at::kBFloat16);
      QCOMPARE(y.sizes(), (at::IntArrayRef{3, 20, 50}));
      // Rounded once: within half a bf16 ulp (at most 2^-8 of a value) of the exact product.
      const double err = ((y.to(at::kDouble) - exact).abs() / (exact.abs() + 1e-3)).max().item<double>();
      QVERIFY2(err < 4e-3, qPrintable(QString::number(err)));
    }
    // A frozen weight whose input needs its gradient: still differentiated, through fp32 too.
    {
      const at::AutoGradMode gradients(true);
      const at::Tensor xg = x.detach().requires_grad_(true);
      test::Bf16ProductCounter counter;
      at::Tensor y;
      {
        Bf16Autocast autocast(true);
        y = linearFewRows(xg, w, at::Tensor());
      }
      QVERIFY(y.requires_grad());
      y.to(at::kFloat).sum().backward();
      QCOMPARE(counter.count(), 0);
      QVERIFY(xg.grad().defined());
      // d(sum y)/dx: the bf16 weight's column sums, for every row.
      const at::Tensor expected = bf16Values(w).sum(0).expand({3, 20, 64});
      QVERIFY((xg.grad().to(at::kDouble) - expected).abs().max().item<double>() < 1e-5 * expected.abs().max().item<double>());
    }
    setCpuBf16Products(CpuBf16Products::Native);
    {
      test::Bf16ProductCounter counter;
      Bf16Autocast autocast(true);
      linearFewRows(x, w, bias.narrow(0, 0, 50));
      QVERIFY(counter.count() > 0);  // LibTorch's own bf16 product
    }
    setCpuBf16Products(CpuBf16Products::Auto);
  }
};

QTEST_APPLESS_MAIN(TestFewRowLinear)
#include "test_few_row_linear.moc"
