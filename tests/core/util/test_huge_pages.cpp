// requestHugePageHeap: adds glibc.malloc.hugetlb=1 to GLIBC_TUNABLES only where the kernel has
// transparent huge pages and nobody chose otherwise; and a process started with it really gets
// its large heap blocks on 2 MiB pages, while one started without (THP madvise) does not.
#include <QtTest/QtTest>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "util/child_process.h"
#include "util/huge_pages.h"

using namespace automoe;

namespace {

std::string g_self;

// Child mode: touch a 64 MiB malloc block and print its AnonHugePages (kB), then our setting.
int touchHeapAndReport() {
  const size_t bytes = 64u << 20;
  char* p = static_cast<char*>(std::malloc(bytes));
  if (!p) return 1;
  std::memset(p, 1, bytes);
  const unsigned long long begin = reinterpret_cast<unsigned long long>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inBlock = false;
  long hugeKb = 0;
  while (std::getline(smaps, line)) {
    unsigned long long lo = 0, hi = 0;
    if (std::sscanf(line.c_str(), "%llx-%llx ", &lo, &hi) == 2 && line.find(' ') > line.find('-')) {
      inBlock = lo <= begin && begin < hi;
    } else if (inBlock && line.rfind("AnonHugePages:", 0) == 0) {
      hugeKb += std::atol(line.c_str() + 14);
    }
  }
  std::printf("%ld\n%s\n", hugeKb, hugePageSetting().c_str());
  std::free(p);
  return 0;
}

}  // namespace

class TestHugePages final : public QObject {
  Q_OBJECT

  static void clear() {
    unsetenv("GLIBC_TUNABLES");
    unsetenv("AUTOMOE_HUGE_PAGES");
  }

  static std::string tunables() {
    const char* v = std::getenv("GLIBC_TUNABLES");
    return v ? v : "(unset)";
  }

  // Runs the child mode with `env`: {AnonHugePages kB of the block, its hugePageSetting()}.
  static std::pair<long, std::string> childReport(const std::vector<std::string>& env) {
    ChildOptions o;
    o.extraEnvironment = env;
    const ChildResult r = runChild({g_self, "__touch-heap"}, o);
    if (r.exitCode != 0) return {-1, "exit " + std::to_string(r.exitCode) + ": " + r.err};
    const size_t nl = r.out.find('\n');
    return {std::atol(r.out.c_str()), r.out.substr(nl + 1, r.out.find('\n', nl + 1) - nl - 1)};
  }

 private Q_SLOTS:
  void init() { clear(); }
  void cleanupTestCase() { clear(); }

  void readsTheKernelsMode() {
    QCOMPARE(transparentHugePageMode("always [madvise] never"), std::string("madvise"));
    QCOMPARE(transparentHugePageMode("[always] madvise never\n"), std::string("always"));
    QCOMPARE(transparentHugePageMode("always madvise [never]"), std::string("never"));
    QCOMPARE(transparentHugePageMode(""), std::string());
    QCOMPARE(transparentHugePageMode("no brackets"), std::string());
  }

  void asksOnceWhereTheKernelHasThem() {
    QVERIFY(requestHugePageHeap("madvise"));
    QCOMPARE(tunables(), std::string("glibc.malloc.hugetlb=1"));
    QVERIFY(!requestHugePageHeap("madvise"));  // the re-executed process: already set
    QCOMPARE(tunables(), std::string("glibc.malloc.hugetlb=1"));
    clear();
    QVERIFY(requestHugePageHeap("always"));
  }

  void keepsOtherTunables() {
    setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2", 1);
    QVERIFY(requestHugePageHeap("madvise"));
    QCOMPARE(tunables(), std::string("glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1"));
  }

  void respectsTheUserAndTheKernel() {
    setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=0", 1);
    QVERIFY(!requestHugePageHeap("madvise"));
    QCOMPARE(tunables(), std::string("glibc.malloc.hugetlb=0"));
    clear();
    setenv("AUTOMOE_HUGE_PAGES", "0", 1);
    QVERIFY(!requestHugePageHeap("madvise"));
    QCOMPARE(tunables(), std::string("(unset)"));
    clear();
    QVERIFY(!requestHugePageHeap("never"));
    QVERIFY(!requestHugePageHeap(""));
    QCOMPARE(tunables(), std::string("(unset)"));
  }

  void aProcessStartedWithItGetsHugePages() {
    const std::string mode = transparentHugePageMode();
    if (mode != "madvise" && mode != "always")
      QSKIP(qPrintable(QString("the kernel offers no transparent huge pages here (mode '%1')")
                           .arg(QString::fromStdString(mode))));
    const auto with = childReport({"GLIBC_TUNABLES=glibc.malloc.hugetlb=1"});
    QVERIFY2(with.first > 0, with.second.c_str());
    QCOMPARE(with.second, "glibc.malloc.hugetlb=1 (THP " + mode + ")");
    const auto without = childReport({});
    QVERIFY2(without.first >= 0, without.second.c_str());
    QCOMPARE(without.second, "default (THP " + mode + ")");
    if (mode == "madvise") QCOMPARE(without.first, 0L);  // without advice: 4 KiB pages only
  }
};

int main(int argc, char** argv) {
  g_self = argv[0];
  if (argc == 2 && std::strcmp(argv[1], "__touch-heap") == 0) return touchHeapAndReport();
  TestHugePages t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_huge_pages.moc"
