#include "plot/training_curves_plot.h"

#include <QVBoxLayout>
#include <cmath>
#include <limits>

#include "plot/plot_style.h"
#include "plot/qcustomplot_compat.h"
#include "plot/replot_throttle.h"

namespace automoe::widgets {

namespace {

// Validation curves take these in turn (distinguishable on light and dark backgrounds).
const QColor kValidColors[] = {QColor(0xd6, 0x27, 0x28), QColor(0x2c, 0xa0, 0x2c), QColor(0x94, 0x67, 0xbd),
                               QColor(0xff, 0x7f, 0x0e), QColor(0x8c, 0x56, 0x4b), QColor(0xe3, 0x77, 0xc2),
                               QColor(0x17, 0xbe, 0xcf), QColor(0xbc, 0xbd, 0x22)};

void setPoints(QCPGraph* graph, const QVector<QPointF>& points) {
  QVector<double> x, y;
  for (const QPointF& p : points) x << p.x(), y << p.y();
  graph->setData(x, y, /*alreadySorted=*/true);
}

}  // namespace

TrainingCurvesPlot::TrainingCurvesPlot(QWidget* parent)
    : QWidget(parent),
      m_plot(new QCustomPlot(this)),
      m_trainGraph(m_plot->addGraph()),
      m_smoothGraph(m_plot->addGraph()),
      m_throttle(new ReplotThrottle([this] { m_plot->replot(); }, this)) {
  setObjectName(QStringLiteral("trainingCurvesPlot"));
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_plot);
  m_plot->setMinimumHeight(180);
  m_trainGraph->setName(tr("training loss"));
  m_smoothGraph->setName(tr("training loss, smoothed"));
  m_plot->xAxis->setLabel(tr("update"));
  m_plot->yAxis->setLabel(tr("loss per target token (nats)"));
  m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  placeLegendAbove(m_plot, 3);  // three entries a row: names stay whole in a narrow plot
  applyPalette();
}

void TrainingCurvesPlot::applyPalette() {
  const QPalette pal = palette();
  applyPlotPalette(m_plot, pal);
  QColor faint = pal.color(QPalette::Highlight);
  faint.setAlpha(70);
  m_trainGraph->setPen(QPen(faint, 1));
  m_smoothGraph->setPen(QPen(pal.color(QPalette::Highlight), 2));
}

int TrainingCurvesPlot::replotCount() const { return m_throttle->replots(); }

QStringList TrainingCurvesPlot::curveNames() const {
  QStringList names;
  for (int i = 0; i < m_plot->graphCount(); ++i) names << m_plot->graph(i)->name();
  return names;
}

QCPGraph* TrainingCurvesPlot::graphNamed(const QString& name) const {
  for (int i = 0; i < m_plot->graphCount(); ++i)
    if (m_plot->graph(i)->name() == name) return m_plot->graph(i);
  return nullptr;
}

QVector<QPointF> TrainingCurvesPlot::drawnCurve(const QString& name) const {
  QVector<QPointF> out;
  if (const QCPGraph* g = graphNamed(name))
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) out << QPointF(it->key, it->value);
  return out;
}

QColor TrainingCurvesPlot::curveColor(const QString& name) const {
  const QCPGraph* g = graphNamed(name);
  return g ? g->pen().color() : QColor();
}

QRectF TrainingCurvesPlot::visibleRegion() const {
  const QCPRange x = m_plot->xAxis->range(), y = m_plot->yAxis->range();
  return QRectF(QPointF(x.lower, y.lower), QPointF(x.upper, y.upper));
}

void TrainingCurvesPlot::addTrainingLoss(qint64 step, double loss) {
  if (!m_train.isEmpty() && step <= m_train.back().x()) rewindTo(step);
  const double x = static_cast<double>(step);
  const double smoothed = smooth(x, loss);
  m_train << QPointF(x, loss);
  m_trainGraph->addData(x, loss);
  m_smooth << QPointF(x, smoothed);
  m_smoothGraph->addData(x, smoothed);
  changed();
}

void TrainingCurvesPlot::addValidationLoss(qint64 step, const QString& subnet, double loss) {
  const QVector<QPointF>& curve = m_valid[subnet];
  if (!curve.isEmpty() && step <= curve.back().x()) rewindValidation(step);
  QCPGraph* graph = validationGraph(subnet);
  m_valid[subnet] << QPointF(static_cast<double>(step), loss);
  graph->addData(static_cast<double>(step), loss);
  changed();
}

QCPGraph* TrainingCurvesPlot::validationGraph(const QString& subnet) {
  if (QCPGraph* g = m_validGraphs.value(subnet)) return g;
  QCPGraph* g = m_plot->addGraph();
  const QColor color = kValidColors[m_validOrder.size() % (sizeof(kValidColors) / sizeof(kValidColors[0]))];
  g->setName(tr("valid: %1").arg(subnet));
  g->setPen(QPen(color, 2));
  g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, color, color, 5));
  m_validGraphs.insert(subnet, g);
  m_validOrder << subnet;
  return g;
}

namespace {
void keepBefore(QVector<QPointF>& points, qint64 step) {
  while (!points.isEmpty() && points.back().x() >= static_cast<double>(step)) points.removeLast();
}
}  // namespace

void TrainingCurvesPlot::rewindTo(qint64 step) {
  keepBefore(m_train, step);
  setPoints(m_trainGraph, m_train);
  rebuildSmoothing();
  rewindValidation(step);
}

void TrainingCurvesPlot::rewindValidation(qint64 step) {
  for (auto it = m_valid.begin(); it != m_valid.end(); ++it) {
    keepBefore(it.value(), step);
    if (QCPGraph* g = m_validGraphs.value(it.key())) setPoints(g, it.value());
  }
}

// Debiased exponential moving average over updates: each point weighs kSmoothing^age, age counted
// in updates (not points), so that a history logged every N updates is smoothed as a live run's
// every-update points are; divided by the sum of the weights, so the first point is itself.
double TrainingCurvesPlot::smooth(double step, double loss) {
  const double keep = m_train.isEmpty() ? kSmoothing : std::pow(kSmoothing, step - m_train.back().x());
  m_ema = keep * m_ema + (1 - keep) * loss;
  m_emaWeight = keep * m_emaWeight + (1 - keep);
  return m_ema / m_emaWeight;
}

void TrainingCurvesPlot::rebuildSmoothing() {
  const QVector<QPointF> points = m_train;
  m_train.clear();
  m_smooth.clear();
  m_ema = m_emaWeight = 0;
  for (const QPointF& p : points) {
    m_smooth << QPointF(p.x(), smooth(p.x(), p.y()));
    m_train << p;
  }
  setPoints(m_smoothGraph, m_smooth);
}

void TrainingCurvesPlot::clear() {
  rewindTo(std::numeric_limits<qint64>::min());
  changed();
}

void TrainingCurvesPlot::changed() {
  m_plot->rescaleAxes();
  // A little room above and below the curves, and never a zero-height range.
  const QCPRange y = m_plot->yAxis->range();
  const double pad = std::max(0.05 * y.size(), 0.05);
  m_plot->yAxis->setRange(y.lower - pad, y.upper + pad);
  m_throttle->request();
}

}  // namespace automoe::widgets
