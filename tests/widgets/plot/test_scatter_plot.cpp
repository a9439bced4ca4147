// ScatterPlot: series keep their points (set and appended), the axes cover every point, the
// y = x line makes both axes one range and spans it, hovering near a point gives its label (its
// coordinates without one) and nothing far from every point, the placeholder shows only while
// there are no points, and a burst of appended points is drawn in few replots.
#include <QtTest/QtTest>

#include "plot/scatter_plot.h"

using automoe::widgets::ScatterPlot;
using automoe::widgets::ScatterPoint;

class TestScatterPlot final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void seriesKeepTheirPointsAndTheAxesCoverThem() {
    ScatterPlot plot;
    const int a = plot.addSeries(QStringLiteral("a"), ScatterPlot::Marker::Disc);
    const int b = plot.addSeries(QStringLiteral("b"), ScatterPlot::Marker::Ring, Qt::red);
    QCOMPARE(a, 0);
    QCOMPARE(b, 1);
    QCOMPARE(plot.seriesCount(), 2);
    plot.setPoints(a, {{1, 10, {}}, {2, 30, {}}});
    plot.appendPoint(b, {5, 20, QStringLiteral("five")});
    plot.appendPoint(7, {0, 0, {}});  // no such series: ignored
    QCOMPARE(plot.pointCount(), 3);
    QCOMPARE(plot.points(b).size(), 1);
    QCOMPARE(plot.points(b).front().label, QStringLiteral("five"));
    const QPointF x = plot.xRange(), y = plot.yRange();
    QVERIFY(x.x() < 1 && x.y() > 5);
    QVERIFY(y.x() < 10 && y.y() > 30);
    QVERIFY(x.y() < 10);  // without the diagonal each axis fits its own values
    plot.clearPoints();
    QCOMPARE(plot.pointCount(), 0);
  }

  void diagonalSharesOneRange() {
    ScatterPlot plot;
    const int s = plot.addSeries(QStringLiteral("rows"), ScatterPlot::Marker::Disc);
    plot.setDiagonal(true, QStringLiteral("y = x"));
    plot.setPoints(s, {{10, 12, {}}, {20, 18, {}}, {40, 45, {}}});
    QVERIFY(plot.diagonalShown());
    QCOMPARE(plot.xRange(), plot.yRange());
    QVERIFY(plot.xRange().x() < 10 && plot.xRange().y() > 45);
  }

  void hoverGivesTheNearestLabel() {
    ScatterPlot plot;
    plot.resize(500, 400);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    const int s = plot.addSeries(QStringLiteral("rows"), ScatterPlot::Marker::Disc);
    plot.setPoints(s, {{1, 1, QStringLiteral("first")}, {9, 9, {}}});
    QTRY_VERIFY(plot.replotCount() >= 1);  // the axes are laid out by a replot
    QTest::qWait(60);                       // and the trailing one, after setPoints
    const QPointF p0 = plot.pixelOf(s, 0), p1 = plot.pixelOf(s, 1);
    QCOMPARE(plot.toolTipAt(p0.toPoint() + QPoint(2, -1)), QStringLiteral("first"));
    QCOMPARE(plot.toolTipAt(p1.toPoint()), QStringLiteral("9, 9"));
    QCOMPARE(plot.toolTipAt(((p0 + p1) / 2).toPoint()), QString());
    QCOMPARE(plot.pixelOf(s, 5), QPointF(-1, -1));
  }

  void placeholderOnlyWhileEmpty() {
    ScatterPlot plot;
    const int s = plot.addSeries(QStringLiteral("rows"), ScatterPlot::Marker::Cross);
    plot.setPlaceholder(QStringLiteral("nothing yet"));
    QCOMPARE(plot.placeholderShown(), QStringLiteral("nothing yet"));
    plot.appendPoint(s, {1, 2, {}});
    QCOMPARE(plot.placeholderShown(), QString());
    plot.clearPoints();
    QCOMPARE(plot.placeholderShown(), QStringLiteral("nothing yet"));
  }

  void burstsAreThrottled() {
    ScatterPlot plot;
    const int s = plot.addSeries(QStringLiteral("rows"), ScatterPlot::Marker::Disc);
    for (int i = 0; i < 500; ++i) plot.appendPoint(s, {double(i), double(i % 7), {}});
    QTRY_VERIFY(plot.replotCount() >= 1);
    QTest::qWait(120);
    QVERIFY2(plot.replotCount() <= 3, qPrintable(QString::number(plot.replotCount())));
    QCOMPARE(plot.pointCount(), 500);
  }
};

QTEST_MAIN(TestScatterPlot)
#include "test_scatter_plot.moc"
