// StopSignalScope: SIGINT/SIGTERM set the scope's token and are handled on a thread of their own,
// never on the thread that called routeToOwnThread() nor on threads it started afterwards; the
// previous handler comes back when the scope ends.
#include <QtTest/QtTest>

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <thread>

#include "util/stop_signal_scope.h"

using namespace automoe;

namespace {

bool blocksStopSignals() {
  sigset_t mask;
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  return sigismember(&mask, SIGINT) == 1 && sigismember(&mask, SIGTERM) == 1;
}

std::atomic<int> gUsr1{0};
extern "C" void countUsr1(int) { ++gUsr1; }

}  // namespace

class TestStopSignalScope final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(!blocksStopSignals());
    StopSignalScope::routeToOwnThread();
    StopSignalScope::routeToOwnThread();  // idempotent
  }

  void blocksTheSignalsHereAndInLaterThreads() {
    QVERIFY(blocksStopSignals());
    bool inWorker = false;
    std::thread([&] { inWorker = blocksStopSignals(); }).join();
    QVERIFY(inWorker);
  }

  void eachSignalSetsTheTokenOnAnotherThread() {
    for (int sig : {SIGINT, SIGTERM}) {
      StopToken token;
      std::atomic<bool> done{false};
      // A busy worker started after the routing: the handler must not run on it either.
      std::atomic<unsigned long> worker{0};
      std::thread busy([&] {
        worker = static_cast<unsigned long>(pthread_self());
        volatile double x = 0;
        while (!done) x = x + 1;
      });
      while (worker == 0) std::this_thread::yield();
      {
        const StopSignalScope scope(token);
        QVERIFY(!token.stopRequested());
        QCOMPARE(::kill(getpid(), sig), 0);
        QTRY_VERIFY_WITH_TIMEOUT(token.stopRequested(), 5000);
      }
      done = true;
      busy.join();
      const unsigned long handler = StopSignalScope::lastHandlerThread();
      QVERIFY(handler != 0);
      QVERIFY(handler != static_cast<unsigned long>(pthread_self()));
      QVERIFY(handler != worker.load());
    }
  }

  void restoresThePreviousHandler() {
    struct sigaction sa {}, old {};
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    QCOMPARE(sigaction(SIGTERM, &sa, &old), 0);
    {
      StopToken token;
      const StopSignalScope scope(token);
      struct sigaction now {};
      sigaction(SIGTERM, nullptr, &now);
      QVERIFY(now.sa_handler != SIG_IGN);
    }
    struct sigaction after {};
    sigaction(SIGTERM, nullptr, &after);
    QVERIFY(after.sa_handler == SIG_IGN);
    sigaction(SIGTERM, &old, nullptr);
  }

  void nestedScopesHandBackTheOuterToken() {
    StopToken outer, inner;
    const StopSignalScope a(outer);
    {
      const StopSignalScope b(inner);
      QCOMPARE(::kill(getpid(), SIGINT), 0);
      QTRY_VERIFY_WITH_TIMEOUT(inner.stopRequested(), 5000);
      QVERIFY(!outer.stopRequested());
    }
    QCOMPARE(::kill(getpid(), SIGINT), 0);
    QTRY_VERIFY_WITH_TIMEOUT(outer.stopRequested(), 5000);
  }

  void otherSignalsAreLeftAlone() {
    struct sigaction sa {}, old {};
    sa.sa_handler = countUsr1;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, &old);
    const int before = gUsr1;
    ::raise(SIGUSR1);  // thread-directed: runs here at once, SIGUSR1 is not blocked
    QCOMPARE(gUsr1.load(), before + 1);
    sigaction(SIGUSR1, &old, nullptr);
  }
};

QTEST_APPLESS_MAIN(TestStopSignalScope)
#include "test_stop_signal_scope.moc"
