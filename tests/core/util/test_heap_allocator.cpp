// heapAllocator / glibcHeap: name the malloc that really serves the process. This test executable
// links no allocator, so glibc's serves it; a child started with tcmalloc_minimal preloaded (the
// library the build found, AUTOMOE_TCMALLOC_PATH) must report tcmalloc and refuse glibc's huge-page
// tunable, since only glibc reads it.
#include <QtTest/QtTest>

#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <string>

#include "util/child_process.h"
#include "util/heap_allocator.h"
#include "util/huge_pages.h"

using namespace automoe;

namespace {

std::string g_self;

// Child mode: the allocator's name, whether glibc's heap serves, and whether a huge-page heap
// would be requested where the kernel offers THP.
int report() {
  unsetenv("GLIBC_TUNABLES");
  unsetenv("AUTOMOE_HUGE_PAGES");
  std::printf("%s\n%d\n%d\n", heapAllocator().c_str(), glibcHeap() ? 1 : 0, requestHugePageHeap("madvise") ? 1 : 0);
  return 0;
}

}  // namespace

class TestHeapAllocator final : public QObject {
  Q_OBJECT

  static QStringList childReport(const std::vector<std::string>& env) {
    ChildOptions o;
    o.extraEnvironment = env;
    const ChildResult r = runChild({g_self, "__heap-report"}, o);
    if (r.exitCode != 0) return {QString("exit %1: %2").arg(r.exitCode).arg(QString::fromStdString(r.err))};
    return QString::fromStdString(r.out).split('\n', Qt::SkipEmptyParts);
  }

 private Q_SLOTS:
  void glibcServesThisProcess() {
    QCOMPARE(heapAllocator(), std::string("glibc ") + gnu_get_libc_version());
    QVERIFY(glibcHeap());
    // The same malloc as the C library's own symbol.
    void* libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
    QVERIFY(libc);
    QCOMPARE(dlsym(RTLD_DEFAULT, "malloc"), dlsym(libc, "malloc"));
    dlclose(libc);
  }

  void aChildAgreesWithoutPreload() {
    const QStringList r = childReport({});
    QCOMPARE(r, QStringList({QString("glibc ") + gnu_get_libc_version(), "1", "1"}));
  }

  void tcmallocIsNamedWhenItServes() {
#ifndef AUTOMOE_TCMALLOC_PATH
    QSKIP("the build found no tcmalloc_minimal (AUTOMOE_TCMALLOC off or libgoogle-perftools-dev missing)");
#else
    const QStringList r = childReport({std::string("LD_PRELOAD=") + AUTOMOE_TCMALLOC_PATH});
    QCOMPARE(r.size(), 3);
    QVERIFY2(r[0].startsWith("tcmalloc_minimal 2."), qPrintable(r[0]));
    QCOMPARE(r[1], QString("0"));
    QCOMPARE(r[2], QString("0"));  // glibc.malloc.hugetlb would do nothing: not requested
#endif
  }
};

int main(int argc, char** argv) {
  g_self = argv[0];
  if (argc == 2 && std::strcmp(argv[1], "__heap-report") == 0) return report();
  TestHeapAllocator t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_heap_allocator.moc"
