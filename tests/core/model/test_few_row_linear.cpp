// linearFewRows: equal to at::linear (float rounding) for every row count, strided prefix slices,
// with and without bias; falls back to at::linear whenever autograd needs the graph.
#include <QtTest/QtTest>

#include <ATen/core/grad_mode.h>

#include "model/few_row_linear.h"

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
};

QTEST_APPLESS_MAIN(TestFewRowLinear)
#include "test_few_row_linear.moc"
