#include "plot/scatter_plot.h"

#include <QMouseEvent>
#include <QToolTip>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>

#include "plot/plot_style.h"
#include "plot/qcustomplot_compat.h"
#include "plot/replot_throttle.h"

namespace automoe::widgets {

namespace {

QCPScatterStyle styleOf(ScatterPlot::Marker marker, const QColor& color) {
  QColor fill = color;
  fill.setAlpha(150);
  switch (marker) {
    case ScatterPlot::Marker::Ring:
      return QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(color, 1.5), Qt::NoBrush, 7);
    case ScatterPlot::Marker::Cross:
      return QCPScatterStyle(QCPScatterStyle::ssCross, QPen(color, 1.5), Qt::NoBrush, 7);
    case ScatterPlot::Marker::Disc:
      break;
  }
  return QCPScatterStyle(QCPScatterStyle::ssDisc, fill, fill, 6);
}

// Widens [lo, hi] by 5% on each side (a unit around a single value).
QCPRange padded(double lo, double hi) {
  const double pad = hi > lo ? 0.05 * (hi - lo) : std::max(0.5, 0.05 * std::abs(lo));
  return {lo - pad, hi + pad};
}

}  // namespace

ScatterPlot::ScatterPlot(QWidget* parent)
    : QWidget(parent),
      m_plot(new QCustomPlot(this)),
      m_diagonalGraph(m_plot->addGraph()),
      m_note(new QCPItemText(m_plot)),
      m_throttle(new ReplotThrottle([this] { m_plot->replot(); }, this)) {
  setObjectName(QStringLiteral("scatterPlot"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_plot);
  m_plot->setMinimumHeight(200);
  m_diagonalGraph->setLineStyle(QCPGraph::lsLine);
  m_diagonalGraph->removeFromLegend();
  m_diagonalGraph->setVisible(false);
  m_note->position->setType(QCPItemPosition::ptAxisRectRatio);
  m_note->position->setCoords(0.5, 0.5);
  m_note->setVisible(false);
  placeLegendAbove(m_plot, 4);
  applyPalette();
  connect(m_plot, &QCustomPlot::mouseMove, this, &ScatterPlot::hovered);
  m_plot->setMouseTracking(true);
}

void ScatterPlot::applyPalette() {
  const QPalette pal = palette();
  applyPlotPalette(m_plot, pal);
  m_diagonalGraph->setPen(QPen(pal.color(QPalette::Mid), 1, Qt::DashLine));
  m_note->setColor(pal.color(QPalette::PlaceholderText));
}

void ScatterPlot::setAxisLabels(const QString& x, const QString& y) {
  m_plot->xAxis->setLabel(x);
  m_plot->yAxis->setLabel(y);
  m_throttle->request();
}

int ScatterPlot::addSeries(const QString& name, Marker marker, const QColor& color) {
  Series s;
  s.graph = m_plot->addGraph();
  s.graph->setName(name);
  s.graph->setLineStyle(QCPGraph::lsNone);
  s.marker = marker;
  s.color = color.isValid() ? color : palette().color(QPalette::Highlight);
  s.graph->setPen(QPen(s.color));
  s.graph->setScatterStyle(styleOf(marker, s.color));
  m_series << s;
  return static_cast<int>(m_series.size()) - 1;
}

void ScatterPlot::setPoints(int series, const QVector<ScatterPoint>& points) {
  if (series < 0 || series >= m_series.size()) return;
  m_series[series].points = points;
  refresh(series);
}

void ScatterPlot::appendPoint(int series, const ScatterPoint& point) {
  if (series < 0 || series >= m_series.size()) return;
  m_series[series].points << point;
  m_series[series].graph->addData(point.x, point.y);
  rescale();
}

void ScatterPlot::clearPoints() {
  for (int i = 0; i < m_series.size(); ++i) {
    m_series[i].points.clear();
    m_series[i].graph->data()->clear();
  }
  rescale();
}

void ScatterPlot::refresh(int series) {
  QVector<double> x, y;
  for (const ScatterPoint& p : m_series[series].points) x << p.x, y << p.y;
  m_series[series].graph->setData(x, y);
  rescale();
}

void ScatterPlot::setDiagonal(bool shown, const QString& name) {
  m_diagonal = shown;
  m_diagonalGraph->setVisible(shown);
  m_diagonalGraph->setName(name);
  if (shown && !name.isEmpty())
    m_diagonalGraph->addToLegend();
  else
    m_diagonalGraph->removeFromLegend();
  rescale();
}

void ScatterPlot::setPlaceholder(const QString& text) {
  m_placeholder = text;
  rescale();
}

int ScatterPlot::pointCount() const {
  int n = 0;
  for (const Series& s : m_series) n += static_cast<int>(s.points.size());
  return n;
}

void ScatterPlot::rescale() {
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  for (const Series& s : m_series)
    for (const ScatterPoint& p : s.points) {
      if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
      x0 = std::min(x0, p.x), x1 = std::max(x1, p.x), y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
    }
  const bool any = x0 <= x1;
  if (any && m_diagonal) {  // one range for both, so that y = x is the diagonal of the plot
    x0 = y0 = std::min(x0, y0);
    x1 = y1 = std::max(x1, y1);
  }
  if (any) {
    m_plot->xAxis->setRange(padded(x0, x1));
    m_plot->yAxis->setRange(padded(y0, y1));
  }
  if (m_diagonal && any) {
    const QCPRange r = m_plot->xAxis->range();
    m_diagonalGraph->setData(QVector<double>{r.lower, r.upper}, QVector<double>{r.lower, r.upper});
  } else {
    m_diagonalGraph->data()->clear();
  }
  m_note->setText(m_placeholder);
  m_note->setVisible(!any && !m_placeholder.isEmpty());
  m_throttle->request();
}

QString ScatterPlot::placeholderShown() const { return m_note->visible() ? m_note->text() : QString(); }

QPointF ScatterPlot::xRange() const { return {m_plot->xAxis->range().lower, m_plot->xAxis->range().upper}; }
QPointF ScatterPlot::yRange() const { return {m_plot->yAxis->range().lower, m_plot->yAxis->range().upper}; }

QPointF ScatterPlot::pixelOf(int series, int index) const {
  if (series < 0 || series >= m_series.size() || index < 0 || index >= m_series[series].points.size()) return {-1, -1};
  const ScatterPoint& p = m_series[series].points[index];
  return {m_plot->xAxis->coordToPixel(p.x), m_plot->yAxis->coordToPixel(p.y)};
}

QString ScatterPlot::toolTipAt(const QPoint& pixel) const {
  const ScatterPoint* best = nullptr;
  double bestDist = kPickRadius * kPickRadius + 1e-9;
  for (int s = 0; s < m_series.size(); ++s)
    for (int i = 0; i < m_series[s].points.size(); ++i) {
      const QPointF d = pixelOf(s, i) - QPointF(pixel);
      const double dist = d.x() * d.x() + d.y() * d.y();
      if (dist <= bestDist) best = &m_series[s].points[i], bestDist = dist;
    }
  if (best == nullptr) return {};
  if (!best->label.isEmpty()) return best->label;
  return QStringLiteral("%1, %2").arg(best->x, 0, 'g', 5).arg(best->y, 0, 'g', 5);
}

void ScatterPlot::hovered(QMouseEvent* event) {
  const QString text = toolTipAt(event->pos());
  if (text.isEmpty())
    QToolTip::hideText();
  else
    QToolTip::showText(event->globalPosition().toPoint(), text, m_plot);
}

QWidget* ScatterPlot::canvas() const { return m_plot; }

int ScatterPlot::replotCount() const { return m_throttle->replots(); }

}  // namespace automoe::widgets
