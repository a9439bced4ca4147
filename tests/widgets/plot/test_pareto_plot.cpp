// ParetoPlot: the front is exactly the feasible candidates no other feasible one dominates, by
// increasing cost; infeasible ones never join it; a selection survives new points that keep its
// candidate; a click near a point selects it and reports its id, a click elsewhere does nothing;
// hovering near a point gives its label.
#include <QSignalSpy>
#include <QtTest/QtTest>
#include <random>

#include "plot/pareto_plot.h"

using automoe::widgets::ParetoPlot;
using automoe::widgets::ParetoPoint;

namespace {

bool dominated(const ParetoPoint& p, const QVector<ParetoPoint>& all) {
  for (const ParetoPoint& q : all)
    if (q.feasible && q.id != p.id && q.fitness <= p.fitness && q.cost <= p.cost &&
        (q.fitness < p.fitness || q.cost < p.cost))
      return true;
  return false;
}

QVector<ParetoPoint> randomPoints(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> cost(1, 100), loss(4, 8);
  QVector<ParetoPoint> points;
  for (int i = 0; i < n; ++i) points << ParetoPoint{i * 3 + 1, cost(rng), loss(rng), rng() % 4 != 0};
  return points;
}

}  // namespace

class TestParetoPlot final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void frontIsTheNonDominatedFeasibleSet() {
    for (unsigned seed : {1u, 2u, 3u}) {
      const QVector<ParetoPoint> points = randomPoints(60, seed);
      ParetoPlot plot;
      plot.setPoints(points, QStringLiteral("FLOPs"));
      QVector<int> expected;
      QVector<ParetoPoint> front;
      for (const ParetoPoint& p : points)
        if (p.feasible && !dominated(p, points)) front << p;
      std::sort(front.begin(), front.end(), [](const ParetoPoint& a, const ParetoPoint& b) { return a.cost < b.cost; });
      for (const ParetoPoint& p : front) expected << p.id;
      QVERIFY(!expected.isEmpty());
      QCOMPARE(plot.frontIds(), expected);
    }
  }

  void infeasibleCandidatesNeverJoinTheFront() {
    ParetoPlot plot;
    // id 1 would dominate everything, but lies outside a constraint.
    plot.setPoints({{1, 1.0, 1.0, false}, {2, 2.0, 5.0, true}, {3, 3.0, 4.0, true}, {4, 4.0, 4.5, true}},
                   QStringLiteral("ms"));
    QCOMPARE(plot.frontIds(), (QVector<int>{2, 3}));
  }

  void selectionSurvivesWhileItsCandidateDoes() {
    ParetoPlot plot;
    plot.setPoints({{1, 1.0, 5.0, true}, {2, 2.0, 4.0, true}}, QStringLiteral("ms"));
    QVERIFY(plot.select(2));
    QCOMPARE(plot.selected(), 2);
    QVERIFY(!plot.select(9));
    QCOMPARE(plot.selected(), -1);
    QVERIFY(plot.select(2));
    plot.setPoints({{1, 1.0, 5.0, true}, {2, 2.0, 4.0, true}, {3, 3.0, 3.0, true}}, QStringLiteral("ms"));
    QCOMPARE(plot.selected(), 2);
    plot.setPoints({{1, 1.0, 5.0, true}}, QStringLiteral("ms"));
    QCOMPARE(plot.selected(), -1);
  }

  void clickingNearAPointChoosesIt() {
    ParetoPlot plot;
    plot.resize(500, 400);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    const QVector<ParetoPoint> points = randomPoints(20, 7);
    plot.setPoints(points, QStringLiteral("FLOPs"));
    QTest::qWait(2 * 50);  // the throttled replot lays the axes out
    QSignalSpy clicked(&plot, &ParetoPlot::pointClicked);
    for (const ParetoPoint& p : points) {
      const QPoint at = plot.pixelOf(p.id).toPoint();
      QVERIFY(plot.canvas()->rect().contains(at));
      const int found = plot.pointAt(at);
      // Another point may be drawn as close; the one found is never farther than this one.
      const QPointF d = plot.pixelOf(found) - QPointF(at);
      QVERIFY2(found >= 0 && d.x() * d.x() + d.y() * d.y() <= 1.0, qPrintable(QString::number(p.id)));
    }
    const int id = points[5].id;
    QTest::mouseClick(plot.canvas(), Qt::LeftButton, {}, plot.pixelOf(id).toPoint() + QPoint(2, -2));
    QCOMPARE(clicked.size(), 1);
    QCOMPARE(clicked.front().front().toInt(), plot.pointAt(plot.pixelOf(id).toPoint() + QPoint(2, -2)));
    QCOMPARE(plot.selected(), clicked.front().front().toInt());
    // Hover text: the label given, else id, loss and cost; nothing far from every point.
    const QPoint near = plot.pixelOf(id).toPoint();
    const int hovered = plot.pointAt(near);
    QVERIFY(plot.toolTipAt(near).startsWith(QStringLiteral("candidate %1\nloss ").arg(hovered)));
    QVERIFY(plot.toolTipAt(near).contains(QStringLiteral("FLOPs: ")));
    QHash<int, QString> labels;
    for (const ParetoPoint& p : points) labels.insert(p.id, QStringLiteral("label of %1").arg(p.id));
    plot.setPoints(points, QStringLiteral("FLOPs"), labels);
    QTest::qWait(2 * 50);
    QCOMPARE(plot.toolTipAt(plot.pixelOf(id).toPoint()), QStringLiteral("label of %1").arg(plot.pointAt(plot.pixelOf(id).toPoint())));
    QCOMPARE(plot.toolTipAt(QPoint(1, 1)), QString());
    // Far from every point (a corner of the widget): nothing.
    QCOMPARE(plot.pointAt(QPoint(1, 1)), -1);
    QTest::mouseClick(plot.canvas(), Qt::LeftButton, {}, QPoint(1, 1));
    QCOMPARE(clicked.size(), 1);
  }
};

QTEST_MAIN(TestParetoPlot)
#include "test_pareto_plot.moc"
