// Which bf16 path this CPU's matrix products take, and the warning for the slow one.
#include <QtTest/QtTest>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "util/cpu_bf16.h"

using namespace automoe;

class TestCpuBf16 final : public QObject {
  Q_OBJECT

  static CpuFeatures avx512(bool bf16, bool amx) {
    CpuFeatures f;
    f.avx512f = f.avx512bw = f.avx512vl = f.avx512dq = true;
    f.avx512bf16 = bf16;
    f.amxBf16 = amx;
    return f;
  }

  // The flags Linux reports for CPU 0 (it lists only what the kernel saves state for).
  static std::set<std::string> procFlags() {
    std::ifstream in("/proc/cpuinfo");
    std::set<std::string> out;
    for (std::string line; std::getline(in, line);)
      if (line.rfind("flags", 0) == 0) {
        std::istringstream words(line.substr(line.find(':') + 1));
        for (std::string w; words >> w;) out.insert(w);
        break;
      }
    return out;
  }

 private Q_SLOTS:
  void pathFollowsLibTorchsCheck() {
    QVERIFY(cpuBf16Support(CpuFeatures{}) == CpuBf16::Reference);
    QVERIFY(cpuBf16Support(avx512(false, false)) == CpuBf16::Emulated);
    QVERIFY(cpuBf16Support(avx512(true, false)) == CpuBf16::Native);
    QVERIFY(cpuBf16Support(avx512(false, true)) == CpuBf16::Native);
    CpuFeatures noDq = avx512(true, true);
    noDq.avx512dq = false;  // LibTorch wants BW, VL and DQ before it hands bf16 to oneDNN
    QVERIFY(cpuBf16Support(noDq) == CpuBf16::Reference);
    QCOMPARE(QString::fromStdString(cpuBf16Name(CpuBf16::Emulated)), QString("emulated"));
  }

  void notesOnlyWhereProductsRunThroughFp32() {
    const std::string w = cpuBf16Note("training.precision", CpuBf16::Reference);
    QVERIFY(QString::fromStdString(w).contains("training.precision"));
    QVERIFY(QString::fromStdString(w).contains("fp32"));
    QVERIFY(cpuBf16Note("training.precision", CpuBf16::Native).empty());
    QVERIFY(cpuBf16Note("training.precision", CpuBf16::Emulated).empty());
  }

  void detectionAgreesWithTheKernel() {
    const std::set<std::string> flags = procFlags();
    if (flags.empty()) QSKIP("no /proc/cpuinfo flags");
    const CpuFeatures f = detectCpuFeatures();
    QCOMPARE(f.avx512bw, flags.count("avx512bw") == 1);
    QCOMPARE(f.avx512vl, flags.count("avx512vl") == 1);
    QCOMPARE(f.avx512dq, flags.count("avx512dq") == 1);
    QCOMPARE(f.avx512bf16, flags.count("avx512_bf16") == 1);
    QCOMPARE(f.amxBf16, flags.count("amx_bf16") == 1);
  }
};

QTEST_APPLESS_MAIN(TestCpuBf16)
#include "test_cpu_bf16.moc"
