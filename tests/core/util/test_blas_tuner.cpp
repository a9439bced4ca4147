// BLAS tuning: when a faster kernel is tried, and the cross-kernel result check.
#include <QtTest/QtTest>

#include "util/blas_tuner.h"

using namespace automoe;

class TestBlasTuner final : public QObject {
  Q_OBJECT

  static BlasInfo openblas(const std::string& core, bool avx512, bool avx2) {
    BlasInfo b;
    b.library = "OpenBLAS";
    b.core = core;
    b.cpuAvx512 = avx512;
    b.cpuAvx2 = avx2;
    return b;
  }

 private Q_SLOTS:
  void triesTheWidestKernelOnlyForGenericFallbacks() {
    BlasDecision d = decideBlasTuning(openblas("Prescott", true, true), false);
    QVERIFY(d.tryKernel);
    QCOMPARE(QString::fromStdString(d.core), QString("SkylakeX"));
    d = decideBlasTuning(openblas("Prescott", false, true), false);
    QCOMPARE(QString::fromStdString(d.core), QString("Haswell"));
    QVERIFY(!decideBlasTuning(openblas("Prescott", false, false), false).tryKernel);  // nothing better
    QVERIFY(!decideBlasTuning(openblas("SkylakeX", true, true), false).tryKernel);    // already fast
    QVERIFY(!decideBlasTuning(openblas("Prescott", true, true), true).tryKernel);     // user turned off
    BlasInfo pinned = openblas("Prescott", true, true);
    pinned.coretypeEnv = "Prescott";  // the user's explicit choice wins
    const BlasDecision p = decideBlasTuning(pinned, false);
    QVERIFY(!p.tryKernel);
    QVERIFY(QString::fromStdString(p.reason).contains("set by the user"));
    BlasInfo reference;
    reference.library = "reference or unknown";
    QVERIFY(!decideBlasTuning(reference, false).tryKernel);
  }

  void fastestCoreIsOneTheCpuCanRun() {
    QCOMPARE(QString::fromStdString(openblas("Prescott", true, true).fastestCore()), QString("SkylakeX"));
    // AVX-512 masked (e.g. an AMD EPYC guest with AVX2 only): never SkylakeX.
    QCOMPARE(QString::fromStdString(openblas("Prescott", false, true).fastestCore()), QString("Haswell"));
    QCOMPARE(QString::fromStdString(openblas("Zen", false, true).fastestCore()), QString("Zen"));
    QCOMPARE(QString::fromStdString(openblas("Prescott", false, false).fastestCore()), QString("Prescott"));
    BlasInfo reference;
    reference.library = "reference or unknown";
    QVERIFY(reference.fastestCore().empty());
  }

  void fingerprintIsDeterministicAndCoversSeveralShapes() {
    const std::string a = blasFingerprint(), b = blasFingerprint();
    QCOMPARE(a, b);
    QVERIFY(std::count(a.begin(), a.end(), ' ') > 1000);
  }
};

QTEST_APPLESS_MAIN(TestBlasTuner)
#include "test_blas_tuner.moc"
