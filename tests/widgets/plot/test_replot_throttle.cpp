// ReplotThrottle: a request redraws at once when the last redraw is old enough, a burst of
// requests gives one more redraw when the interval has passed, and a steady stream of requests
// never redraws more than 20 times per second.
#include <QElapsedTimer>
#include <QtTest/QtTest>

#include "plot/replot_throttle.h"

using automoe::widgets::ReplotThrottle;

class TestReplotThrottle final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void firstRequestRedrawsAtOnce() {
    int drawn = 0;
    ReplotThrottle t([&] { ++drawn; }, nullptr);
    QCOMPARE(t.intervalMs(), 50);
    t.request();
    QCOMPARE(drawn, 1);
    QVERIFY(!t.pending());
  }

  void burstGivesOneTrailingRedraw() {
    int drawn = 0;
    ReplotThrottle t([&] { ++drawn; }, nullptr);
    t.request();
    for (int i = 0; i < 500; ++i) t.request();
    QCOMPARE(drawn, 1);
    QVERIFY(t.pending());
    QTRY_COMPARE_WITH_TIMEOUT(drawn, 2, 1000);
    QTest::qWait(3 * t.intervalMs());
    QCOMPARE(drawn, 2);  // nothing more without requests
    QCOMPARE(t.replots(), 2);
  }

  void trailingRedrawWaitsForTheInterval() {
    QElapsedTimer clock;
    qint64 second = -1;
    int drawn = 0;
    ReplotThrottle t(
        [&] {
          if (++drawn == 2) second = clock.elapsed();
        },
        nullptr);
    clock.start();
    t.request();
    t.request();
    QTRY_COMPARE_WITH_TIMEOUT(drawn, 2, 1000);
    QVERIFY2(second >= t.intervalMs(), qPrintable(QString::number(second)));
  }

  void atMostTwentyPerSecond() {
    int drawn = 0;
    ReplotThrottle t([&] { ++drawn; }, nullptr);
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 600) {
      t.request();
      QTest::qWait(2);
    }
    QTest::qWait(2 * t.intervalMs());
    const double seconds = clock.elapsed() / 1000.0;
    QVERIFY2(drawn <= 20 * seconds + 1, qPrintable(QString::number(drawn)));
    QVERIFY2(drawn >= 5, qPrintable(QString::number(drawn)));
  }
};

QTEST_MAIN(TestReplotThrottle)
#include "test_replot_throttle.moc"
