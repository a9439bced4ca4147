// sliceLinear: the values and all three gradients of at::linear, for strided prefix-slice weights
// and [B, T, in] inputs; the weight gradient arrives contiguous (no copy in AccumulateGrad); under
// bf16 autocast the output is bf16 and the gradients come back in the parameters' float type;
// while a SliceRecorder records, the bf16 weight gradient goes to the recorder uncast instead; bf16
// products straight through oneDNN give LibTorch's values.
#include <QtTest/QtTest>

#include <optional>

#include "model/bf16_autocast.h"
#include "model/onednn_bf16_matmul.h"
#include "model/slice_linear.h"
#include "model/slice_recorder.h"

using namespace automoe;

class TestSliceLinear final : public QObject {
  Q_OBJECT

 private:
  struct Grads {
    at::Tensor y, dx, dw, db;
  };
  template <typename F>
  static Grads run(F&& f, const at::Tensor& x0, const at::Tensor& stored, const at::Tensor& bias0, bool withBias) {
    at::Tensor x = x0.clone().requires_grad_(true);
    at::Tensor w = stored.narrow(0, 0, 30).narrow(1, 0, 21).detach().requires_grad_(true);  // [30, 21], row stride 40
    at::Tensor b = bias0.clone().requires_grad_(true);
    at::Tensor y = f(x, w, withBias ? b : at::Tensor());
    (y.to(at::kFloat) * at::linspace(-1, 1, y.numel()).view(y.sizes())).sum().backward();
    return {y.detach(), x.grad(), w.grad(), withBias ? b.grad() : at::Tensor()};
  }
  static double diff(const at::Tensor& a, const at::Tensor& b) {
    return (a.to(at::kFloat) - b.to(at::kFloat)).abs().max().item<double>();
  }

 private Q_SLOTS:
  void matchesAtLinearWithGradients() {
    at::manual_seed(3);
    const at::Tensor stored = at::randn({50, 40}), bias = at::randn({30}), x = at::randn({2, 5, 21});
    for (bool withBias : {true, false}) {
      const Grads ref = run([](auto x, auto w, auto b) { return at::linear(x, w, b); }, x, stored, bias, withBias);
      const Grads got = run([](auto x, auto w, auto b) { return sliceLinear(x, w, b); }, x, stored, bias, withBias);
      QCOMPARE(got.y.sizes(), (at::IntArrayRef{2, 5, 30}));
      QVERIFY(diff(got.y, ref.y) < 1e-5);
      QVERIFY(diff(got.dx, ref.dx) < 1e-5);
      QCOMPARE(got.dw.sizes(), (at::IntArrayRef{30, 21}));
      QVERIFY(diff(got.dw, ref.dw) < 1e-5);
      QVERIFY(got.dw.is_contiguous());
      if (withBias) QVERIFY(diff(got.db, ref.db) < 1e-5);
      else QVERIFY(!got.db.defined());
    }
  }

  void onlyTheInputsThatNeedGradientsGetThem() {
    at::manual_seed(4);
    const at::Tensor x = at::randn({4, 8});                       // no grad
    const at::Tensor w = at::randn({6, 8}).requires_grad_(true);
    const at::Tensor b = at::randn({6});                          // no grad
    sliceLinear(x, w, b).sum().backward();
    QVERIFY(w.grad().defined());
    QVERIFY((w.grad() - x.sum(0).expand({6, 8})).abs().max().item<double>() < 1e-5);
  }

  void bf16AutocastComputesInBf16AndReturnsFloatGradients() {
    at::manual_seed(5);
    const at::Tensor stored = at::randn({50, 40}), bias = at::randn({30}), x = at::randn({2, 5, 21});
    std::optional<Bf16Autocast> autocast(std::in_place, true);
    const Grads ref = run([](auto x, auto w, auto b) { return at::linear(x, w, b); }, x, stored, bias, true);
    const Grads got = run([](auto x, auto w, auto b) { return sliceLinear(x, w, b); }, x, stored, bias, true);
    autocast.reset();
    QCOMPARE(got.y.scalar_type(), at::kBFloat16);
    QCOMPARE(got.dx.scalar_type(), at::kFloat);
    QCOMPARE(got.dw.scalar_type(), at::kFloat);
    QCOMPARE(got.db.scalar_type(), at::kFloat);
    // bf16 keeps 8 bits of mantissa: compare relative to the magnitudes involved.
    QVERIFY(diff(got.y, ref.y) < 0.05 * ref.y.to(at::kFloat).abs().max().item<double>());
    QVERIFY(diff(got.dw, ref.dw) < 0.05 * ref.dw.abs().max().item<double>());
    QVERIFY(diff(got.dx, ref.dx) < 0.05 * ref.dx.abs().max().item<double>());
    QVERIFY(diff(got.db, ref.db) < 0.05 * ref.db.abs().max().item<double>());
  }

  // On the CPU, bf16 products go straight through oneDNN (one kernel for all row counts, no
  // padding rows) where it is available; they give LibTorch's values up to summation order.
  void bf16ProductsThroughOneDnnMatchLibTorchs() {
    if (!oneDnnBf16MatmulAvailable()) QSKIP("this build or CPU has no oneDNN bf16 matmul");
    at::manual_seed(7);
    const at::Tensor stored = at::randn({50, 40}), bias = at::randn({30});
    for (int64_t rows : {1, 37, 130}) {  // expert blocks of any size
      const at::Tensor x = at::randn({rows, 21});
      std::optional<Bf16Autocast> autocast(std::in_place, true);
      setOneDnnBf16Matmul(false);
      const Grads ref = run([](auto x, auto w, auto b) { return sliceLinear(x, w, b); }, x, stored, bias, true);
      setOneDnnBf16Matmul(true);
      const Grads got = run([](auto x, auto w, auto b) { return sliceLinear(x, w, b); }, x, stored, bias, true);
      autocast.reset();
      QCOMPARE(got.y.scalar_type(), at::kBFloat16);
      QCOMPARE(got.y.sizes(), ref.y.sizes());
      QCOMPARE(got.dw.scalar_type(), at::kFloat);
      // Each side rounds an fp32 sum once to bf16: at most a bf16 step apart.
      QVERIFY(diff(got.y, ref.y) <= ref.y.to(at::kFloat).abs().max().item<double>() / 128);
      QVERIFY(diff(got.dx, ref.dx) <= ref.dx.abs().max().item<double>() / 128);
      QVERIFY(diff(got.dw, ref.dw) <= ref.dw.abs().max().item<double>() / 128);
      QVERIFY(diff(got.db, ref.db) < 1e-6);
    }
  }

  void recordedBf16WeightGradientReachesTheRecorderUncast() {
    at::manual_seed(6);
    const at::Tensor x = at::randn({2, 5, 21}), x2 = at::randn({3, 12}), bias = at::randn({30});
    const at::Tensor stored = at::randn({50, 40}).requires_grad_(true);
    auto loss = [](const at::Tensor& y) { return (y.to(at::kFloat) * at::linspace(-1, 1, y.numel()).view(y.sizes())).sum(); };
    std::optional<Bf16Autocast> autocast(std::in_place, true);
    // Reference: autograd's float gradient of the parameter (no recorder).
    at::Tensor viaAutograd;
    {
      const at::Tensor w = stored.narrow(0, 0, 30).narrow(1, 0, 21);
      loss(sliceLinear(x, w, bias)).backward();
      viaAutograd = stored.grad().narrow(0, 0, 30).narrow(1, 0, 21).clone();
      stored.mutable_grad() = at::Tensor();
    }
    SliceRecorder recorder;
    {
      SliceRecorder::Scope scope(recorder);
      const at::Tensor w = SliceRecorder::slice(stored, {30, 21});
      QVERIFY(SliceRecorder::gradientSink(stored, at::kBFloat16).defined() == false);  // not a recorded leaf
      at::Tensor y = sliceLinear(x, w, bias);
      loss(y).backward();
      QVERIFY(!w.grad().defined());  // autograd got no float copy
    }
    autocast.reset();
    auto boxes = recorder.boxGradients();
    QCOMPARE(boxes.size(), size_t(1));
    QCOMPARE(boxes[0].grad.scalar_type(), at::kBFloat16);
    QCOMPARE(boxes[0].grad.sizes(), (at::IntArrayRef{30, 21}));
    QVERIFY(at::equal(boxes[0].grad.to(at::kFloat), viaAutograd));  // the same values as autograd's cast

    // The same parameter also used in float (another slice, another product): the box sums both,
    // in the parameter's type; a float product's gradient goes through autograd as before.
    recorder.clear();
    at::Tensor floatPart;
    {
      SliceRecorder::Scope scope(recorder);
      const at::Tensor w = SliceRecorder::slice(stored, {30, 21});
      const at::Tensor wf = SliceRecorder::slice(stored, {20, 12});
      autocast.emplace(true);
      at::Tensor y = sliceLinear(x, w, bias);
      autocast.reset();
      at::Tensor yf = sliceLinear(x2, wf, at::Tensor());
      (loss(y) + loss(yf)).backward();
      QVERIFY(!w.grad().defined());
      QCOMPARE(wf.grad().scalar_type(), at::kFloat);
      floatPart = wf.grad().clone();
    }
    boxes = recorder.boxGradients();
    QCOMPARE(boxes.size(), size_t(1));
    QCOMPARE(boxes[0].grad.scalar_type(), at::kFloat);
    at::Tensor expected = viaAutograd.clone();
    expected.narrow(0, 0, 20).narrow(1, 0, 12).add_(floatPart);
    QVERIFY((boxes[0].grad - expected).abs().max().item<double>() < 1e-5);

    // A second backward through the same graph finds the sink full: autograd gets that one.
    recorder.clear();
    {
      SliceRecorder::Scope scope(recorder);
      const at::Tensor w = SliceRecorder::slice(stored, {30, 21});
      autocast.emplace(true);
      at::Tensor l = loss(sliceLinear(x, w, bias));
      autocast.reset();
      l.backward({}, /*retain_graph=*/true);
      l.backward();
      QCOMPARE(w.grad().scalar_type(), at::kFloat);
    }
    boxes = recorder.boxGradients();
    QCOMPARE(boxes.size(), size_t(1));
    QVERIFY((boxes[0].grad - 2 * viaAutograd).abs().max().item<double>() < 1e-4);
  }
};

QTEST_APPLESS_MAIN(TestSliceLinear)
#include "test_slice_linear.moc"
