#pragma once
// Live loss curves of a training run (QCustomPlot): the training loss of every reported update,
// faint, with its smoothed trend (a debiased exponential moving average as TensorBoard draws, its
// weights decaying per update rather than per point), and one validation curve per reference
// subnet. Points arriving for an update at or before the
// last one shown (a run resumed from an earlier checkpoint, or started over) first drop what is
// shown from that update on, as the run's metrics.jsonl does (a validation point drops only
// validation points). Replots are throttled (ReplotThrottle).
#include <QColor>
#include <QHash>
#include <QPointF>
#include <QRectF>
#include <QStringList>
#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPGraph;

namespace automoe::widgets {

class ReplotThrottle;

class TrainingCurvesPlot : public QWidget {
  Q_OBJECT

 public:
  static constexpr double kSmoothing = 0.8;  // weight of the past, per update, in the smoothed loss

  explicit TrainingCurvesPlot(QWidget* parent = nullptr);

  void addTrainingLoss(qint64 step, double loss);
  void addValidationLoss(qint64 step, const QString& subnet, double loss);
  void clear();

  QCustomPlot* plot() const { return m_plot; }
  QVector<QPointF> trainingLoss() const { return m_train; }
  QVector<QPointF> smoothedTrainingLoss() const { return m_smooth; }
  QStringList validationSubnets() const { return m_validOrder; }
  QVector<QPointF> validationLoss(const QString& subnet) const { return m_valid.value(subnet); }
  int replotCount() const;
  // What the plot draws: its curves' legend names, each one's points and colour, and the visible
  // region (x: updates, y: loss).
  QStringList curveNames() const;
  QVector<QPointF> drawnCurve(const QString& name) const;
  QColor curveColor(const QString& name) const;
  QRectF visibleRegion() const;

  QSize sizeHint() const override { return {420, 260}; }

 private:
  // Drop every point at `step` or later: of all curves (and the smoothing state), of the
  // validation curves only.
  void rewindTo(qint64 step);
  void rewindValidation(qint64 step);
  // The smoothed loss with (step, loss) added after m_train's last point (updates the state).
  double smooth(double step, double loss);
  void rebuildSmoothing();
  QCPGraph* validationGraph(const QString& subnet);
  QCPGraph* graphNamed(const QString& name) const;
  void applyPalette();
  void changed();

  QCustomPlot* m_plot;
  QCPGraph* m_trainGraph;
  QCPGraph* m_smoothGraph;
  ReplotThrottle* m_throttle;
  QVector<QPointF> m_train, m_smooth;
  double m_ema = 0, m_emaWeight = 0;  // the weighted sum and its weights' sum
  QHash<QString, QVector<QPointF>> m_valid;
  QHash<QString, QCPGraph*> m_validGraphs;
  QStringList m_validOrder;
};

}  // namespace automoe::widgets
