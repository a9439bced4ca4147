// launchAsHeavyProcess: re-executes the process exactly once when it changes a load-time setting
// (here the OpenMP spin cap), and goes straight on when the user's own settings leave nothing to
// change. The child mode of this executable prints a line on every start, then what it runs with.
#include <QtTest/QtTest>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "util/child_process.h"
#include "util/heavy_process_launch.h"
#include "util/openmp_wait.h"

using namespace automoe;

namespace {

std::string g_self;

int probe(int argc, char** argv) {
  std::printf("start\n");
  std::fflush(stdout);  // before a re-exec replaces the process and its buffers
  launchAsHeavyProcess(argc, argv, /*blasDisabled=*/true);
  const char* decision = std::getenv("AUTOMOE_BLAS_DECISION");
  std::printf("wait %s\nblas %s\n", openMpWaitSetting().c_str(), decision ? decision : "(unset)");
  return 0;
}

int count(const std::string& text, const std::string& line) {
  int n = 0;
  for (size_t at = text.find(line); at != std::string::npos; at = text.find(line, at + 1)) ++n;
  return n;
}

}  // namespace

class TestHeavyProcessLaunch final : public QObject {
  Q_OBJECT

  static void clear() {
    for (const char* v : {"OMP_NUM_THREADS", "GOMP_SPINCOUNT", "OMP_WAIT_POLICY", "AUTOMOE_BLAS_DECISION",
                          "AUTOMOE_HUGE_PAGES", "GLIBC_TUNABLES"})
      unsetenv(v);
  }

  static ChildResult run(const std::vector<std::string>& env) {
    ChildOptions o;
    o.extraEnvironment = env;
    return runChild({g_self, "__probe"}, o);
  }

 private Q_SLOTS:
  void init() { clear(); }
  void cleanupTestCase() { clear(); }

  void reexecutesOnceWhenASettingChanges() {
    const ChildResult r = run({});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    QCOMPARE(count(r.out, "start\n"), 2);
    QVERIFY2(r.out.find("wait GOMP_SPINCOUNT=" + std::string(kOpenMpSpinCount) + "\n") != std::string::npos,
             r.out.c_str());
    QVERIFY2(r.out.find("blas default: BLAS tuning turned off by the user\n") != std::string::npos, r.out.c_str());
  }

  void goesOnWhenTheUsersSettingsLeaveNothingToChange() {
    const ChildResult r = run({"GOMP_SPINCOUNT=77", "AUTOMOE_HUGE_PAGES=0"});
    QVERIFY2(r.exitCode == 0, r.err.c_str());
    QCOMPARE(count(r.out, "start\n"), 1);
    QVERIFY2(r.out.find("wait GOMP_SPINCOUNT=77\n") != std::string::npos, r.out.c_str());
  }
};

int main(int argc, char** argv) {
  g_self = argv[0];
  if (argc == 2 && std::strcmp(argv[1], "__probe") == 0) return probe(argc, argv);
  TestHeavyProcessLaunch t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_heavy_process_launch.moc"
