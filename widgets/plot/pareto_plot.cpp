#include "plot/pareto_plot.h"

#include <QMouseEvent>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>

#include "plot/plot_style.h"
#include "plot/qcustomplot_compat.h"
#include "plot/replot_throttle.h"
#include "search/non_dominated_sort.h"

namespace automoe::widgets {

namespace {

// Points sorted by cost (then loss), as QCPGraph keeps its data, so that no re-sort reorders them.
void setGraph(QCPGraph* graph, QVector<ParetoPoint> points) {
  std::sort(points.begin(), points.end(), [](const ParetoPoint& a, const ParetoPoint& b) {
    return a.cost != b.cost ? a.cost < b.cost : a.fitness < b.fitness;
  });
  QVector<double> x, y;
  for (const ParetoPoint& p : points) x << p.cost, y << p.fitness;
  graph->setData(x, y, /*alreadySorted=*/true);
}

}  // namespace

ParetoPlot::ParetoPlot(QWidget* parent)
    : QWidget(parent),
      m_plot(new QCustomPlot(this)),
      m_feasible(m_plot->addGraph()),
      m_infeasible(m_plot->addGraph()),
      m_frontGraph(m_plot->addGraph()),
      m_selectedGraph(m_plot->addGraph()),
      m_throttle(new ReplotThrottle([this] { m_plot->replot(); }, this)) {
  setObjectName(QStringLiteral("paretoPlot"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_plot);
  m_plot->setMinimumHeight(200);
  m_feasible->setName(tr("candidate"));
  m_infeasible->setName(tr("outside a constraint"));
  m_frontGraph->setName(tr("Pareto front"));
  m_selectedGraph->setName(tr("selected"));
  m_selectedGraph->removeFromLegend();
  for (QCPGraph* g : {m_feasible, m_infeasible, m_selectedGraph}) g->setLineStyle(QCPGraph::lsNone);
  m_frontGraph->setLineStyle(QCPGraph::lsStepLeft);
  m_plot->yAxis->setLabel(tr("validation loss (nats per target token)"));
  placeLegendAbove(m_plot, 4);
  applyPalette();
  connect(m_plot, &QCustomPlot::mousePress, this, &ParetoPlot::clicked);
  connect(m_plot, &QCustomPlot::mouseMove, this, &ParetoPlot::hovered);
  m_plot->setMouseTracking(true);
}

void ParetoPlot::applyPalette() {
  const QPalette pal = palette();
  applyPlotPalette(m_plot, pal);
  const QColor dot = pal.color(QPalette::Highlight), muted = pal.color(QPalette::Mid);
  QColor faint = dot;
  faint.setAlpha(110);
  m_feasible->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, faint, faint, 6));
  m_feasible->setPen(QPen(faint));
  m_infeasible->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, muted, 6));
  m_infeasible->setPen(QPen(muted));
  const QColor front(0xd6, 0x27, 0x28);
  m_frontGraph->setPen(QPen(front, 2));
  m_frontGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, front, front, 8));
  m_selectedGraph->setPen(QPen(pal.color(QPalette::Text)));
  m_selectedGraph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(pal.color(QPalette::Text), 2),
                                                   Qt::NoBrush, 16));
}

QWidget* ParetoPlot::canvas() const { return m_plot; }

int ParetoPlot::replotCount() const { return m_throttle->replots(); }

void ParetoPlot::setPoints(const QVector<ParetoPoint>& points, const QString& costLabel,
                           const QHash<int, QString>& labels) {
  m_points = points;
  m_labels = labels;
  m_costLabel = costLabel;
  QVector<ParetoPoint> feasible, infeasible;
  std::vector<Objectives> objectives;
  for (const ParetoPoint& p : points) {
    (p.feasible ? feasible : infeasible) << p;
    if (p.feasible) objectives.push_back({p.fitness, p.cost});
  }
  m_front.clear();
  QVector<ParetoPoint> front;
  if (!objectives.empty()) {
    const std::vector<std::vector<int>> fronts = nonDominatedSort(objectives);
    for (int i : fronts.front()) front << feasible[i];
  }
  std::sort(front.begin(), front.end(), [](const ParetoPoint& a, const ParetoPoint& b) { return a.cost < b.cost; });
  for (const ParetoPoint& p : front) m_front << p.id;
  setGraph(m_feasible, feasible);
  setGraph(m_infeasible, infeasible);
  setGraph(m_frontGraph, front);
  m_plot->xAxis->setLabel(costLabel);
  m_plot->rescaleAxes();
  for (QCPAxis* axis : {m_plot->xAxis, m_plot->yAxis}) {  // room around the outermost points
    const QCPRange r = axis->range();
    const double pad = std::max(0.05 * r.size(), 1e-9 * std::max(1.0, std::abs(r.center())));
    axis->setRange(r.lower - pad, r.upper + pad);
  }
  select(m_selected);  // kept where the candidate still exists
}

bool ParetoPlot::select(int id) {
  const bool found = std::any_of(m_points.begin(), m_points.end(), [id](const ParetoPoint& p) { return p.id == id; });
  m_selected = found ? id : -1;
  showSelection();
  return found || id == -1;
}

void ParetoPlot::showSelection() {
  QVector<ParetoPoint> chosen;
  for (const ParetoPoint& p : m_points)
    if (p.id == m_selected) chosen << p;
  setGraph(m_selectedGraph, chosen);
  m_throttle->request();
}

QPointF ParetoPlot::pixelOf(int id) const {
  for (const ParetoPoint& p : m_points)
    if (p.id == id) return {m_plot->xAxis->coordToPixel(p.cost), m_plot->yAxis->coordToPixel(p.fitness)};
  return {-1, -1};
}

int ParetoPlot::pointAt(const QPoint& pixel) const {
  int best = -1;
  double bestDist = kPickRadius * kPickRadius + 1e-9;
  for (const ParetoPoint& p : m_points) {
    const QPointF at = pixelOf(p.id) - QPointF(pixel);
    const double d = at.x() * at.x() + at.y() * at.y();
    if (d <= bestDist) best = p.id, bestDist = d;
  }
  return best;
}

QString ParetoPlot::toolTipAt(const QPoint& pixel) const {
  const int id = pointAt(pixel);
  if (id < 0) return {};
  if (m_labels.contains(id)) return m_labels.value(id);
  for (const ParetoPoint& p : m_points)
    if (p.id == id)
      return tr("candidate %1\nloss %2\n%3: %4").arg(id).arg(p.fitness, 0, 'f', 4).arg(m_costLabel).arg(p.cost, 0, 'g', 6);
  return {};
}

void ParetoPlot::hovered(QMouseEvent* event) {
  const QString text = toolTipAt(event->pos());
  if (text.isEmpty())
    QToolTip::hideText();
  else
    QToolTip::showText(event->globalPosition().toPoint(), text, m_plot);
}

void ParetoPlot::clicked(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return;
  const int id = pointAt(event->pos());
  if (id < 0) return;
  select(id);
  Q_EMIT pointClicked(id);
}

}  // namespace automoe::widgets
