// cpuMatmul through oneDNN's sgemm gives LibTorch's products (all four transpose cases, prefix
// views with a longer row stride, transposed views, empty sizes, transposed operands, the second
// operands of few-row products and 512-wide gradient pairs copied to unaliased rows; gemm-friendly
// buffers pad exactly the aliasing fp32 widths), and sliceLinear's forward and backward through it
// match the BLAS path; a storm of stop signals during oneDNN products (whose JIT kernels move the
// stack pointer into the heap) leaves the heap intact once the signals are routed to their own
// thread, as `automoe` does. Where the build has no oneDNN, choosing it is refused.
#include <QtTest/QtTest>

#include <ATen/ATen.h>

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <stdexcept>
#include <thread>

#include "model/cpu_gemm.h"
#include "model/slice_linear.h"
#include "util/stop_signal_scope.h"

using namespace automoe;

namespace {

double relErr(const at::Tensor& got, const at::Tensor& want) {
  return (got - want).abs().max().item<double>() / (want.abs().max().item<double>() + 1e-30);
}

// Restores the process-wide backend at the end of a test.
struct BackendScope {
  CpuGemm saved = cpuGemm();
  ~BackendScope() { setCpuGemm(saved); }
};

}  // namespace

class TestCpuGemm final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    // As `automoe`'s main does: before the first product starts OpenMP's threads, which would
    // otherwise keep accepting the signals.
    StopSignalScope::routeToOwnThread();
  }

  void init() {
    if (!oneDnnGemmCompiledIn()) {
      QVERIFY_THROWS_EXCEPTION(std::invalid_argument, setCpuGemm(CpuGemm::OneDnn));
      QVERIFY(!oneDnnGemmAgreesWithBlas());
      QSKIP("this build has no oneDNN: the refusal above is what it can show");
    }
  }

  void matchesLibTorchForEveryTransposeCase() {
    const BackendScope scope;
    setCpuGemm(CpuGemm::OneDnn);
    at::manual_seed(3);
    for (int t = 0; t < 4; ++t) {
      const bool ta = t & 1, tb = t & 2;
      const int64_t M = 37, K = 70, N = 19;
      const at::Tensor a = ta ? at::randn({K, M}) : at::randn({M, K});
      const at::Tensor b = tb ? at::randn({N, K}) : at::randn({K, N});
      const at::Tensor want = (ta ? a.t() : a).mm(tb ? b.t() : b);
      const at::Tensor got = cpuMatmul(a, ta, b, tb);
      QCOMPARE(got.sizes(), want.sizes());
      QVERIFY2(relErr(got, want) < 1e-5, qPrintable(QString("case %1").arg(t)));
    }
  }

  void readsStridedViews() {
    const BackendScope scope;
    setCpuGemm(CpuGemm::OneDnn);
    at::manual_seed(4);
    const at::Tensor stored = at::randn({64, 96});
    const at::Tensor w = stored.narrow(0, 0, 40).narrow(1, 0, 50);  // a prefix box: row stride 96
    const at::Tensor x = at::randn({50, 23}).t();                     // [23, 50], column stride 23
    QCOMPARE(w.stride(0), int64_t{96});
    const at::Tensor want = x.mm(w.t());
    QVERIFY(relErr(cpuMatmul(x, false, w, true), want) < 1e-5);
    QVERIFY(relErr(cpuMatmul(w, false, x, true), want.t()) < 1e-5);  // (x w^T)^T = w x^T
  }

  // A transposed first operand whose row stride aliases (a multiple of 512 floats, >= 1024) over
  // 256 rows or more is copied to padded rows before the product: same result, input untouched.
  void copiesAliasingTransposedOperands() {
    const BackendScope scope;
    setCpuGemm(CpuGemm::OneDnn);
    at::manual_seed(6);
    const at::Tensor wide = at::randn({300, 2048});
    for (const at::Tensor& a : {at::randn({300, 1024}), wide.narrow(1, 0, 1536)}) {
      QVERIFY(gemmFriendlyRowStride(a.stride(0)) != a.stride(0));
      const at::Tensor before = a.clone(), b = at::randn({300, 40});
      const at::Tensor want = a.t().mm(b);
      QVERIFY(relErr(cpuMatmul(a, true, b, false), want) < 1e-5);
      QVERIFY(at::equal(a, before));
    }
    // Not row-major at all (a transposed view): copied once, straight to padded rows; same product.
    const at::Tensor columns = at::randn({1024, 300}).t();  // [1024, 300] -> [300, 1024], column stride 300
    const at::Tensor b = at::randn({300, 40});
    QVERIFY(relErr(cpuMatmul(columns, true, b, false), columns.t().mm(b)) < 1e-5);
  }

  // A product of few rows by a non-transposed second operand whose row stride aliases (a weight
  // slice of a 3072- or 512-wide super layer, or a whole 1024-wide one) is computed on a copy with
  // longer rows: same result, operand untouched; the same for row counts either side of the rule.
  void copiesAliasingSecondOperandsOfFewRowProducts() {
    const BackendScope scope;
    setCpuGemm(CpuGemm::OneDnn);
    at::manual_seed(7);
    const at::Tensor super = at::randn({96, 3072}), narrow = at::randn({96, 512});
    for (const at::Tensor& b : {super.narrow(1, 0, 1536), super.narrow(1, 0, 1000), narrow.narrow(1, 0, 512),
                                at::randn({64, 1024})})
      for (const int64_t M : {5, 63, 64, 170, 383, 384}) {
        const at::Tensor a = at::randn({M, b.size(0)}), before = b.clone();
        const at::Tensor want = a.mm(b);
        QVERIFY2(relErr(cpuMatmul(a, false, b, false), want) < 1e-5,
                 qPrintable(QString("M %1, B [%2 x %3] stride %4").arg(M).arg(b.size(0)).arg(b.size(1)).arg(b.stride(0))));
        QVERIFY(at::equal(b, before));
      }
  }

  // The weight gradient of a 512-wide layer (both operands 512 floats a row, 256 rows or more) is
  // computed on copies with longer rows: same result, operands untouched; one row short of the
  // rule, and a 512-float stride that is a prefix view of wider rows, too.
  void copiesAliasingGradientPairs() {
    const BackendScope scope;
    setCpuGemm(CpuGemm::OneDnn);
    at::manual_seed(8);
    const at::Tensor wide = at::randn({300, 512});
    for (const int64_t K : {255, 256, 300}) {
      const at::Tensor g = at::randn({K, 512}), x = wide.narrow(0, 0, K).narrow(1, 0, 500);
      const at::Tensor gBefore = g.clone(), xBefore = x.clone();
      QVERIFY2(relErr(cpuMatmul(g, true, x, false), g.t().mm(x)) < 1e-5, qPrintable(QString("K %1").arg(K)));
      QVERIFY(at::equal(g, gBefore) && at::equal(x, xBefore));
    }
  }

  // The copies are on by default; turned off (to measure what they gain elsewhere) the same
  // aliasing products come straight from the operands, still right.
  void aliasingCopiesCanBeTurnedOffForMeasuring() {
    const BackendScope scope;
    setCpuGemm(CpuGemm::OneDnn);
    QVERIFY(cpuGemmAliasingCopies());
    setCpuGemmAliasingCopies(false);
    at::manual_seed(9);
    const at::Tensor super = at::randn({300, 3072}), g = at::randn({300, 512}), x = at::randn({300, 512});
    const at::Tensor a = at::randn({170, 300}), w = super.narrow(1, 0, 1536), t = super.narrow(1, 0, 2048);
    const double errors[] = {relErr(cpuMatmul(a, false, w, false), a.mm(w)),
                             relErr(cpuMatmul(g, true, x, false), g.t().mm(x)),
                             relErr(cpuMatmul(t, true, x, false), t.t().mm(x))};
    setCpuGemmAliasingCopies(true);
    for (const double e : errors) QVERIFY2(e < 1e-5, qPrintable(QString::number(e)));
  }

  void handlesEmptySizes() {
    const BackendScope scope;
    setCpuGemm(CpuGemm::OneDnn);
    QCOMPARE(cpuMatmul(at::randn({0, 8}), false, at::randn({8, 5}), false).sizes(), (at::IntArrayRef{0, 5}));
    const at::Tensor z = cpuMatmul(at::randn({3, 0}), false, at::randn({0, 4}), false);
    QCOMPARE(z.sizes(), (at::IntArrayRef{3, 4}));
    QCOMPARE(z.abs().sum().item<double>(), 0.0);
  }

  void gemmFriendlyBuffersPadOnlyAliasingFloatRows() {
    QCOMPARE(gemmFriendlyRowStride(2048), int64_t{2064});
    QCOMPARE(gemmFriendlyRowStride(1536), int64_t{1552});
    QCOMPARE(gemmFriendlyRowStride(512), int64_t{512});  // measured: no loss at 2 KiB
    QCOMPARE(gemmFriendlyRowStride(640), int64_t{640});
    const at::Tensor f = emptyGemmFriendly(10, 3072, at::TensorOptions().dtype(at::kFloat));
    QCOMPARE(f.sizes(), (at::IntArrayRef{10, 3072}));
    QCOMPARE(f.stride(0), int64_t{3088});
    QVERIFY(emptyGemmFriendly(10, 3072, at::TensorOptions().dtype(at::kBFloat16)).is_contiguous());
    QVERIFY(emptyGemmFriendly(10, 640, at::TensorOptions().dtype(at::kFloat)).is_contiguous());
  }

  void agreesWithBlasOnItsCheck() { QVERIFY(oneDnnGemmAgreesWithBlas()); }

  void stopSignalsDuringProductsLeaveTheHeapIntact() {
    // Shapes with a dimension under 16 and a long inner one take oneDNN 2.6's "nocopy" kernel,
    // which runs with its stack pointer in a malloc'ed workspace: a handler frame pushed there
    // corrupts the heap within a few thousand signals (measured: glibc aborts with "corrupted size
    // vs. prev_size"). Routed to their own thread (initTestCase, before any OpenMP thread exists),
    // the same storm is harmless.
    const BackendScope scope;
    setCpuGemm(CpuGemm::OneDnn);
    at::manual_seed(6);
    const at::Tensor x = at::randn({1000, 512}), router = at::randn({6, 512}), thin = at::randn({8, 512});
    setCpuGemm(CpuGemm::Blas);
    const at::Tensor want1 = cpuMatmul(x, false, router, true), want2 = cpuMatmul(thin, false, x, true);
    setCpuGemm(CpuGemm::OneDnn);
    StopToken token;
    const StopSignalScope signals(token);
    std::atomic<bool> done{false};
    std::atomic<int> sent{0};
    std::thread storm([&] {
      while (!done) {
        ::kill(getpid(), (sent % 2) ? SIGINT : SIGTERM);
        ++sent;
        usleep(20);
      }
    });
    double worst = 0;
    for (int i = 0; i < 3000 || sent < 20000; ++i) {
      const at::Tensor y1 = cpuMatmul(x, false, router, true);  // [1000, 512] x [6, 512]^T
      const at::Tensor y2 = cpuMatmul(thin, false, x, true);    // [8, 512] x [1000, 512]^T
      worst = std::max({worst, relErr(y1, want1), relErr(y2, want2)});
      if (i > 200000) break;
    }
    done = true;
    storm.join();
    // Let the signal thread take what is still pending before the scope hands the signals back to
    // QtTest's own (fatal) handlers.
    auto stopSignalPending = [] {
      sigset_t pending;
      sigpending(&pending);
      return sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(!stopSignalPending(), 5000);
    QVERIFY2(sent >= 20000, qPrintable(QString::number(sent.load())));
    QVERIFY(token.stopRequested());
    QVERIFY(StopSignalScope::lastHandlerThread() != static_cast<unsigned long>(pthread_self()));
    QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
  }

  void sliceLinearForwardAndBackwardMatchTheBlasPath() {
    const BackendScope scope;
    at::manual_seed(5);
    const at::Tensor stored = at::randn({48, 64}), bias = at::randn({48});
    const at::Tensor x0 = at::randn({3, 11, 40});
    auto run = [&](CpuGemm backend) {
      setCpuGemm(backend);
      const at::Tensor w = stored.clone().requires_grad_(true), b = bias.clone().requires_grad_(true);
      const at::Tensor x = x0.clone().requires_grad_(true);
      const at::Tensor y = sliceLinear(x, w.narrow(0, 0, 30).narrow(1, 0, 40), b.narrow(0, 0, 30));  // [3, 11, 30]
      (y * y).sum().backward();
      return std::vector<at::Tensor>{y.detach(), x.grad(), w.grad(), b.grad()};
    };
    const auto blas = run(CpuGemm::Blas), dnn = run(CpuGemm::OneDnn);
    for (size_t i = 0; i < blas.size(); ++i) QVERIFY2(relErr(dnn[i], blas[i]) < 1e-5, qPrintable(QString::number(i)));
    QCOMPARE(dnn[2].narrow(0, 30, 18).abs().sum().item<double>(), 0.0);  // rows outside the slice untouched
  }
};

QTEST_APPLESS_MAIN(TestCpuGemm)
#include "test_cpu_gemm.moc"
