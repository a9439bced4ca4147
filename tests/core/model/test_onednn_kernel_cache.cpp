// reserveOneDnnKernelCache: the first Bf16Autocast raises oneDNN's primitive cache to hold
// kOneDnnKernelCacheCapacity kernels unless the user chose a capacity; and with it, bf16 products
// of more distinct shapes than a small cache holds are built once, not on every pass (counted
// from oneDNN's own creation log, ONEDNN_VERBOSE=2, in child processes).
#include <QtTest/QtTest>

#include <cstdio>
#include <cstring>
#include <string>

#include <ATen/ATen.h>

#include "model/bf16_autocast.h"
#include "model/onednn_kernel_cache.h"
#include "util/child_process.h"

using namespace automoe;

namespace {

std::string g_self;
constexpr const char* kSecondPass = "== second pass ==";

// Child mode: 12 bf16 products of distinct shapes, twice; prints the capacity first.
int bf16Products() {
  Bf16Autocast autocast(true);
  std::printf("capacity %d\n", oneDnnKernelCacheCapacity());
  std::fflush(stdout);
  for (int pass = 0; pass < 2; ++pass) {
    if (pass == 1) {
      std::printf("%s\n", kSecondPass);
      std::fflush(stdout);
    }
    for (int64_t rows = 64; rows <= 64 * 12; rows += 64) {
      const at::Tensor a = at::ones({rows, 96}, at::kBFloat16), b = at::ones({96, 80}, at::kBFloat16);
      const at::Tensor c = at::mm(a, b);  // [rows, 96] x [96, 80] -> [rows, 80]
      if (c[0][0].item<float>() != 96.0f) return 3;
    }
    std::fflush(stdout);
  }
  return 0;
}

struct Log {
  int capacity = -2;
  int creations = 0;     // kernels created (cache hits and misses) in the second pass
  int missesSecond = 0;  // built again in the second pass
  std::string error;
};

Log runProducts(const std::vector<std::string>& env) {
  ChildOptions o;
  o.extraEnvironment = env;
  o.extraEnvironment.push_back("ONEDNN_VERBOSE=2");
  const ChildResult r = runChild({g_self, "__bf16-products"}, o);
  Log log;
  if (r.exitCode != 0) {
    log.error = "exit " + std::to_string(r.exitCode) + ": " + r.err;
    return log;
  }
  std::sscanf(r.out.c_str() + r.out.find("capacity "), "capacity %d", &log.capacity);
  const size_t second = r.out.find(kSecondPass);
  for (size_t at = r.out.find("create:", second); second != std::string::npos && at != std::string::npos;
       at = r.out.find("create:", at + 1)) {
    ++log.creations;
    if (r.out.compare(at, 17, "create:cache_miss") == 0) ++log.missesSecond;
  }
  return log;
}

}  // namespace

class TestOneDnnKernelCache final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void raisesTheCapacityUnlessTheUserChose() {
    const Log ours = runProducts({});
    QVERIFY2(ours.error.empty(), ours.error.c_str());
    const Log users = runProducts({"ONEDNN_PRIMITIVE_CACHE_CAPACITY=4"});
    QVERIFY2(users.error.empty(), users.error.c_str());
    if (oneDnnKernelCacheCapacity() == -1) {  // built without oneDNN's headers: nothing to set
      QCOMPARE(ours.capacity, -1);
      return;
    }
    QCOMPARE(ours.capacity, kOneDnnKernelCacheCapacity);
    QCOMPARE(users.capacity, 4);
  }

  void distinctShapesAreBuiltOnce() {
    if (oneDnnKernelCacheCapacity() == -1) QSKIP("built without oneDNN's headers (libdnnl-dev)");
    const Log small = runProducts({"ONEDNN_PRIMITIVE_CACHE_CAPACITY=4"});
    QVERIFY2(small.error.empty(), small.error.c_str());
    if (small.creations == 0) QSKIP("LibTorch does not multiply bf16 through oneDNN on this CPU");
    QVERIFY2(small.missesSecond >= 12 - 4, qPrintable(QString::number(small.missesSecond)));  // the control
    const Log ours = runProducts({});
    QVERIFY2(ours.error.empty(), ours.error.c_str());
    QCOMPARE(ours.missesSecond, 0);
    QVERIFY(ours.creations >= 12);  // all looked up again, all found
  }
};

int main(int argc, char** argv) {
  g_self = argv[0];
  if (argc == 2 && std::strcmp(argv[1], "__bf16-products") == 0) return bf16Products();
  TestOneDnnKernelCache t;
  return QTest::qExec(&t, argc, argv);
}

#include "test_onednn_kernel_cache.moc"
