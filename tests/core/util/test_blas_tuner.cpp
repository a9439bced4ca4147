// BLAS tuning: when a faster kernel is tried, and the cross-kernel result check.
#include <QtTest/QtTest>

#include <QTemporaryDir>
#include <algorithm>
#include <cmath>
#include <string>

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

  // Only `exe __blas-selftest` is the child's call; anything else is left to the program (the
  // answering call itself is run by app_test_cli's `blas check`).
  void selfTestAnswersOnlyItsOwnCall() {
    std::string exe = "automoe", self = "__blas-selftest", train = "train", extra = "--json";
    char* alone[] = {exe.data()};
    char* command[] = {exe.data(), train.data()};
    char* more[] = {exe.data(), self.data(), extra.data()};
    char* later[] = {exe.data(), train.data(), self.data()};
    QVERIFY(!answerBlasSelfTest(1, alone));
    QVERIFY(!answerBlasSelfTest(2, command));
    QVERIFY(!answerBlasSelfTest(3, more));
    QVERIFY(!answerBlasSelfTest(3, later));
  }

  // checkBlasKernel against stand-ins for the self-test child: one printing this process's own
  // fingerprint, one printing it with a single entry off by 1e-3 relative, one that fails.
  void aKernelThatDisagreesIsRefused() {
    QTemporaryDir dir;
    const std::string own = blasFingerprint();
    std::string off = own;
    const size_t end = off.find(' ');
    const double first = std::stod(off.substr(0, end));
    off.replace(0, end, std::to_string(first + 1e-3 * std::max(1.0, std::abs(first))));
    auto standIn = [&](const QString& name, const std::string& output, int code) {
      const QString data = dir.filePath(name + ".txt"), exe = dir.filePath(name + ".sh");
      QFile d(data), e(exe);
      if (!d.open(QIODevice::WriteOnly) || !e.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(exe));
      d.write(output.data(), static_cast<qint64>(output.size()));
      e.write(QString("#!/bin/sh\ncat '%1'\nexit %2\n").arg(data).arg(code).toUtf8());
      e.setPermissions(e.permissions() | QFileDevice::ExeOwner);
      return exe.toStdString();
    };
    const std::string haswell = "kernel Haswell\n";
    const BlasCheck same = checkBlasKernel(standIn("same", haswell + own, 0), "Haswell");
    QVERIFY2(same.ok && same.maxRelativeDifference == 0, same.message.c_str());
    QCOMPARE(QString::fromStdString(same.kernelRun), QString("Haswell"));
    QVERIFY(checkBlasKernel(standIn("lower", haswell + own, 0), "haswell").ok);  // OpenBLAS ignores case
    const BlasCheck differs = checkBlasKernel(standIn("differs", haswell + off, 0), "Haswell");
    QVERIFY(!differs.ok);
    QVERIFY(differs.maxRelativeDifference > 5e-4 && differs.maxRelativeDifference < 2e-3);
    QVERIFY2(QString::fromStdString(differs.message).contains("Haswell kernel DISAGREES"), differs.message.c_str());
    const BlasCheck failed = checkBlasKernel(standIn("fails", haswell + own, 3), "Haswell");
    QVERIFY(!failed.ok);
    QVERIFY2(QString::fromStdString(failed.message).contains("failed to run"), failed.message.c_str());
    // A child that does not say which kernel it ran is not taken at its word.
    const BlasCheck unnamed = checkBlasKernel(standIn("unnamed", own, 0), "Haswell");
    QVERIFY(!unnamed.ok && !unnamed.otherKernel);
    QVERIFY2(QString::fromStdString(unnamed.message).contains("failed to run"), unnamed.message.c_str());
  }

  // OpenBLAS runs its own choice under a name it does not know (or a kernel the CPU cannot run)
  // without a word: identical results then say nothing about the kernel asked for.
  void aChildRunningAnotherKernelIsRefused() {
    QTemporaryDir dir;
    const QString data = dir.filePath("zen.txt"), exe = dir.filePath("zen.sh");
    QFile d(data), e(exe);
    QVERIFY(d.open(QIODevice::WriteOnly) && e.open(QIODevice::WriteOnly));
    const std::string answer = "kernel Zen\n" + blasFingerprint();
    d.write(answer.data(), static_cast<qint64>(answer.size()));
    d.close();
    e.write(QString("#!/bin/sh\ncat '%1'\n").arg(data).toUtf8());
    e.setPermissions(e.permissions() | QFileDevice::ExeOwner);
    e.close();
    const BlasCheck c = checkBlasKernel(exe.toStdString(), "Cooperlake");
    QVERIFY(!c.ok);
    QVERIFY(c.otherKernel);
    QCOMPARE(QString::fromStdString(c.kernelRun), QString("Zen"));
    QVERIFY2(QString::fromStdString(c.message).contains("loaded OpenBLAS's Zen kernel instead"), c.message.c_str());
    // A kernel the CPU cannot run dies of SIGILL in the child, and the message says so.
    QFile ill(dir.filePath("ill.sh"));
    QVERIFY(ill.open(QIODevice::WriteOnly));
    ill.write("#!/bin/sh\nkill -ILL $$\n");
    ill.setPermissions(ill.permissions() | QFileDevice::ExeOwner);
    ill.close();
    const BlasCheck died = checkBlasKernel(dir.filePath("ill.sh").toStdString(), "SkylakeX");
    QVERIFY(!died.ok && !died.otherKernel);
    QVERIFY2(QString::fromStdString(died.message).contains("failed to run (killed by SIGILL"), died.message.c_str());
  }
};

QTEST_APPLESS_MAIN(TestBlasTuner)
#include "test_blas_tuner.moc"
