// capOpenMpSpinning: sets GOMP_SPINCOUNT only when the user chose no OpenMP wait setting and more
// than one thread may run; openMpWaitSetting reports what the process runs with.
#include <QtTest/QtTest>

#include <cstdlib>

#include "util/openmp_wait.h"

using namespace automoe;

class TestOpenMpWait final : public QObject {
  Q_OBJECT

  static void clear() {
    unsetenv("GOMP_SPINCOUNT");
    unsetenv("OMP_WAIT_POLICY");
    unsetenv("OMP_NUM_THREADS");
  }

 private Q_SLOTS:
  void init() { clear(); }
  void cleanupTestCase() { clear(); }

  void setsTheSpinCountWhenNothingIsChosen() {
    QCOMPARE(openMpWaitSetting(), std::string("default"));
    QVERIFY(capOpenMpSpinning());
    QCOMPARE(std::string(std::getenv("GOMP_SPINCOUNT")), std::string(kOpenMpSpinCount));
    QCOMPARE(openMpWaitSetting(), "GOMP_SPINCOUNT=" + std::string(kOpenMpSpinCount));
    QVERIFY(!capOpenMpSpinning());  // the re-executed process: already set, nothing to do
  }

  void respectsTheUsersChoice() {
    setenv("GOMP_SPINCOUNT", "123", 1);
    QVERIFY(!capOpenMpSpinning());
    QCOMPARE(std::string(std::getenv("GOMP_SPINCOUNT")), std::string("123"));
    clear();
    setenv("OMP_WAIT_POLICY", "active", 1);
    QVERIFY(!capOpenMpSpinning());
    QVERIFY(std::getenv("GOMP_SPINCOUNT") == nullptr);
    QCOMPARE(openMpWaitSetting(), std::string("OMP_WAIT_POLICY=active"));
  }

  void oneThreadNeedsNoChange() {
    setenv("OMP_NUM_THREADS", "1", 1);
    QVERIFY(!capOpenMpSpinning());
    QVERIFY(std::getenv("GOMP_SPINCOUNT") == nullptr);
    setenv("OMP_NUM_THREADS", "2", 1);
    QVERIFY(capOpenMpSpinning());
  }
};

QTEST_APPLESS_MAIN(TestOpenMpWait)
#include "test_openmp_wait.moc"
