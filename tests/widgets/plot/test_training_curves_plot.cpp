// TrainingCurvesPlot: the training loss and its debiased moving average (decaying per update), one
// validation curve per reference subnet (in the order they first appear), the drawn graphs holding
// exactly those points, rewinding when a run resumes from an earlier update, throttled replots.
#include <QtTest/QtTest>
#include <cmath>

#include "plot/training_curves_plot.h"

using automoe::widgets::TrainingCurvesPlot;

namespace {

QVector<double> ys(const QVector<QPointF>& points) {
  QVector<double> out;
  for (const QPointF& p : points) out << p.y();
  return out;
}

QVector<double> xs(const QVector<QPointF>& points) {
  QVector<double> out;
  for (const QPointF& p : points) out << p.x();
  return out;
}

}  // namespace

class TestTrainingCurvesPlot final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void smoothedLossIsTheDebiasedMovingAverage() {
    TrainingCurvesPlot plot;
    const QVector<double> losses = {8.0, 7.0, 7.5, 6.0, 6.5, 5.0};
    for (int i = 0; i < losses.size(); ++i) plot.addTrainingLoss(i + 1, losses[i]);
    QCOMPARE(ys(plot.trainingLoss()), losses);
    QCOMPARE(xs(plot.trainingLoss()), (QVector<double>{1, 2, 3, 4, 5, 6}));
    const double w = TrainingCurvesPlot::kSmoothing;
    const QVector<double> smooth = ys(plot.smoothedTrainingLoss());
    QCOMPARE(smooth.size(), losses.size());
    QCOMPARE(smooth[0], losses[0]);  // debiased: the first point is itself
    for (int n = 1; n <= losses.size(); ++n) {
      double num = 0, den = 0;
      for (int i = 0; i < n; ++i) num += std::pow(w, n - 1 - i) * losses[i], den += std::pow(w, n - 1 - i);
      QVERIFY2(std::abs(smooth[n - 1] - num / den) < 1e-12, qPrintable(QString::number(n)));
    }
    QCOMPARE(plot.drawnCurve(QStringLiteral("training loss")), plot.trainingLoss());
    QCOMPARE(plot.drawnCurve(QStringLiteral("training loss, smoothed")), plot.smoothedTrainingLoss());
  }

  void smoothingDecaysPerUpdateNotPerPoint() {
    // A history logged every 20 updates: the older point weighs kSmoothing^20 of its live weight.
    TrainingCurvesPlot plot;
    plot.addTrainingLoss(1, 8.0);
    plot.addTrainingLoss(21, 6.0);
    const double w = TrainingCurvesPlot::kSmoothing, old = (1 - w) * std::pow(w, 20), recent = 1 - std::pow(w, 20);
    const double expected = (old * 8.0 + recent * 6.0) / (old + recent);
    QVERIFY(std::abs(plot.smoothedTrainingLoss().back().y() - expected) < 1e-12);
    QVERIFY(plot.smoothedTrainingLoss().back().y() < 6.01);  // not dragged towards the old point
  }

  void oneValidationCurvePerSubnet() {
    TrainingCurvesPlot plot;
    for (int step : {100, 200}) {
      plot.addTrainingLoss(step, 7.0 - step / 100.0);
      plot.addValidationLoss(step, QStringLiteral("largest"), 6.5 - step / 100.0);
      plot.addValidationLoss(step, QStringLiteral("smallest"), 6.7 - step / 100.0);
    }
    QCOMPARE(plot.validationSubnets(), (QStringList{QStringLiteral("largest"), QStringLiteral("smallest")}));
    QCOMPARE(ys(plot.validationLoss(QStringLiteral("largest"))), (QVector<double>{5.5, 4.5}));
    QCOMPARE(xs(plot.validationLoss(QStringLiteral("smallest"))), (QVector<double>{100, 200}));
    QCOMPARE(plot.curveNames(), (QStringList{QStringLiteral("training loss"), QStringLiteral("training loss, smoothed"),
                                             QStringLiteral("valid: largest"), QStringLiteral("valid: smallest")}));
    QCOMPARE(plot.drawnCurve(QStringLiteral("valid: smallest")), plot.validationLoss(QStringLiteral("smallest")));
    QVERIFY(plot.curveColor(QStringLiteral("valid: smallest")).isValid());
    QVERIFY(plot.curveColor(QStringLiteral("valid: smallest")) != plot.curveColor(QStringLiteral("valid: largest")));
    // Every point is inside the visible region.
    const QRectF shown = plot.visibleRegion();
    for (const QPointF& p : plot.trainingLoss() + plot.validationLoss(QStringLiteral("largest")))
      QVERIFY2(shown.contains(p), qPrintable(QStringLiteral("%1, %2").arg(p.x()).arg(p.y())));
  }

  void resumingFromAnEarlierUpdateRewinds() {
    TrainingCurvesPlot plot;
    for (int step = 1; step <= 10; ++step) {
      plot.addTrainingLoss(step, 10.0 - step * 0.1);
      if (step % 4 == 0) plot.addValidationLoss(step, QStringLiteral("largest"), 9.0 - step * 0.1);
    }
    // The run resumes from a checkpoint of update 5: update 6 comes again.
    plot.addTrainingLoss(6, 1.0);
    QCOMPARE(xs(plot.trainingLoss()), (QVector<double>{1, 2, 3, 4, 5, 6}));
    QCOMPARE(plot.trainingLoss().back().y(), 1.0);
    QCOMPARE(xs(plot.validationLoss(QStringLiteral("largest"))), (QVector<double>{4}));  // update 8's is gone
    QCOMPARE(plot.drawnCurve(QStringLiteral("training loss")), plot.trainingLoss());
    QCOMPARE(plot.drawnCurve(QStringLiteral("valid: largest")), plot.validationLoss(QStringLiteral("largest")));
    // The smoothing starts from the kept points, as if the dropped ones had never been.
    TrainingCurvesPlot straight;
    for (const QPointF& p : plot.trainingLoss()) straight.addTrainingLoss(static_cast<qint64>(p.x()), p.y());
    QCOMPARE(plot.smoothedTrainingLoss(), straight.smoothedTrainingLoss());
    QCOMPARE(plot.drawnCurve(QStringLiteral("training loss, smoothed")), plot.smoothedTrainingLoss());
  }

  void clearEmptiesEveryCurve() {
    TrainingCurvesPlot plot;
    plot.addTrainingLoss(1, 5);
    plot.addValidationLoss(1, QStringLiteral("largest"), 4);
    plot.clear();
    QVERIFY(plot.trainingLoss().isEmpty() && plot.smoothedTrainingLoss().isEmpty());
    QVERIFY(plot.validationLoss(QStringLiteral("largest")).isEmpty());
    for (const QString& name : plot.curveNames()) QVERIFY(plot.drawnCurve(name).isEmpty());
    plot.addTrainingLoss(1, 3);  // and starts again
    QCOMPARE(plot.smoothedTrainingLoss().front().y(), 3.0);
  }

  void pointsArrivingFastAreReplottedThrottled() {
    TrainingCurvesPlot plot;
    plot.resize(500, 300);
    for (int step = 1; step <= 1000; ++step) plot.addTrainingLoss(step, 1.0 / step);
    QCOMPARE(plot.replotCount(), 1);  // the first point at once, the rest coalesced
    QTRY_COMPARE_WITH_TIMEOUT(plot.replotCount(), 2, 1000);
    QCOMPARE(plot.trainingLoss().size(), 1000);
  }
};

QTEST_MAIN(TestTrainingCurvesPlot)
#include "test_training_curves_plot.moc"
