#pragma once
// Search candidates on the (cost, validation loss) plane (QCustomPlot): feasible ones as dots,
// those outside a constraint as rings, the Pareto front of the feasible ones (lowest loss for its
// cost: core's non-dominated sort) joined as a staircase, and the selected candidate marked.
// Clicking near a point selects it and reports its id; hovering shows its label. Replots are throttled (ReplotThrottle).
#include <QHash>
#include <QString>
#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPGraph;
class QMouseEvent;

namespace automoe::widgets {

class ReplotThrottle;

struct ParetoPoint {
  int id = -1;
  double cost = 0;     // x, in the metric's unit
  double fitness = 0;  // y: validation loss (lower is better)
  bool feasible = true;
};

class ParetoPlot : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kPickRadius = 8;  // pixels

  explicit ParetoPlot(QWidget* parent = nullptr);

  // `labels`: each candidate's hover text by id (optional).
  void setPoints(const QVector<ParetoPoint>& points, const QString& costLabel, const QHash<int, QString>& labels = {});
  // Marks candidate `id` (none: -1); false if no point has that id.
  bool select(int id);

  QVector<ParetoPoint> points() const { return m_points; }
  // The front's ids, by increasing cost.
  QVector<int> frontIds() const { return m_front; }
  int selected() const { return m_selected; }
  // The candidate drawn within kPickRadius pixels of `pixel` (the nearest), else -1.
  int pointAt(const QPoint& pixel) const;
  // The hover text for `pixel`: the nearest candidate's label (or its id, loss and cost), else "".
  QString toolTipAt(const QPoint& pixel) const;
  // Where candidate `id` is drawn, in the plot's pixels (for tests and tool tips).
  QPointF pixelOf(int id) const;
  // The drawing surface (what receives clicks; pixelOf's coordinates are in it).
  QWidget* canvas() const;
  int replotCount() const;

  QSize sizeHint() const override { return {420, 300}; }

 Q_SIGNALS:
  void pointClicked(int id);

 private:
  void applyPalette();
  void clicked(QMouseEvent* event);
  void hovered(QMouseEvent* event);
  void showSelection();

  QCustomPlot* m_plot;
  QCPGraph* m_feasible;
  QCPGraph* m_infeasible;
  QCPGraph* m_frontGraph;
  QCPGraph* m_selectedGraph;
  ReplotThrottle* m_throttle;
  QVector<ParetoPoint> m_points;
  QHash<int, QString> m_labels;
  QString m_costLabel;
  QVector<int> m_front;
  int m_selected = -1;
};

}  // namespace automoe::widgets
