#include "search/search_panel.h"

#include <QComboBox>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <exception>
#include <set>

#include "arch/arch_stats_panel.h"
#include "plot/pareto_plot.h"
#include "search/search_history.h"

namespace automoe::widgets {

SearchPanel::SearchPanel(Project project, QWidget* parent)
    : QWidget(parent),
      m_project(std::move(project)),
      m_plot(new ParetoPlot(this)),
      m_metric(new QComboBox(this)),
      m_frontList(new QTreeWidget(this)),
      m_status(new QLabel(this)),
      m_watcher(new QFileSystemWatcher(this)) {
  qRegisterMetaType<automoe::ArchConfig>();
  setObjectName(QStringLiteral("searchPanel"));
  m_metric->setObjectName(QStringLiteral("searchMetric"));
  m_metric->setToolTip(tr("The cost on the horizontal axis"));
  m_status->setObjectName(QStringLiteral("searchStatus"));
  m_status->setWordWrap(true);
  m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_frontList->setObjectName(QStringLiteral("searchFront"));
  m_frontList->setRootIsDecorated(false);
  m_frontList->setUniformRowHeights(true);
  m_frontList->setToolTip(tr("The Pareto front, by cost; choose one to see its architecture"));

  auto* top = new QHBoxLayout;
  top->addWidget(new QLabel(tr("cost"), this));
  top->addWidget(m_metric);
  top->addWidget(m_status, 1);
  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(m_plot);
  split->addWidget(m_frontList);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  split->setChildrenCollapsible(false);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addWidget(split, 1);

  connect(m_metric, &QComboBox::currentIndexChanged, this, &SearchPanel::showMetric);
  connect(m_plot, &ParetoPlot::pointClicked, this, &SearchPanel::chooseCandidate);
  connect(m_frontList, &QTreeWidget::itemActivated, this,
          [this](QTreeWidgetItem* item) { chooseCandidate(item->data(0, Qt::UserRole).toInt()); });
  connect(m_frontList, &QTreeWidget::itemClicked, this,
          [this](QTreeWidgetItem* item) { chooseCandidate(item->data(0, Qt::UserRole).toInt()); });
  m_reloadTimer.setSingleShot(true);
  m_reloadTimer.setInterval(kReloadDelayMs);
  connect(&m_reloadTimer, &QTimer::timeout, this, &SearchPanel::reload);
  connect(m_watcher, &QFileSystemWatcher::fileChanged, &m_reloadTimer, qOverload<>(&QTimer::start));
  connect(m_watcher, &QFileSystemWatcher::directoryChanged, &m_reloadTimer, qOverload<>(&QTimer::start));
  reload();
}

QString SearchPanel::historyPath() const {
  return QString::fromStdString(m_project.resolvePath(m_project.search.runDir) + "/history.jsonl");
}

QString SearchPanel::costMetric() const { return m_metric->currentData().toString(); }
QString SearchPanel::statusText() const { return m_status->text(); }

QString SearchPanel::metricTitle(const QString& metric) {
  if (metric == QLatin1String("predicted_latency")) return tr("predicted latency (ms)");
  if (metric == QLatin1String("measured_latency")) return tr("measured latency (ms)");
  if (metric == QLatin1String("flops")) return tr("FLOPs");
  if (metric == QLatin1String("total_params")) return tr("total parameters");
  if (metric == QLatin1String("active_params")) return tr("active parameters per token");
  return metric;
}

QString SearchPanel::formatMetric(const QString& metric, double value) {
  if (metric.endsWith(QLatin1String("_latency"))) return QString::number(value, 'f', 2);
  return ArchStatsPanel::formatCount(value);  // FLOPs, parameters: 49.71 M
}

// The history's folder and file, each once it exists (an atomically replaced file leaves the
// watch list; the folder's change brings it back through reload()).
void SearchPanel::watch() {
  const QFileInfo file(historyPath());
  QString dir = file.path();  // the run folder, or the nearest folder above it that exists
  while (!QFileInfo(dir).isDir() && QFileInfo(dir).path() != dir) dir = QFileInfo(dir).path();
  QStringList wanted;
  if (QFileInfo(dir).isDir()) wanted << dir;
  if (file.exists()) wanted << file.filePath();
  const QStringList old = m_watcher->files() + m_watcher->directories();
  if (!old.isEmpty()) m_watcher->removePaths(old);
  if (!wanted.isEmpty()) m_watcher->addPaths(wanted);
}

void SearchPanel::reload() {
  watch();
  const QString keepMetric = costMetric();
  const int keepSelected = m_plot->selected();
  m_candidates.clear();
  m_generations = 0;
  QString problem;
  if (!QFileInfo::exists(historyPath())) {
    problem = tr("No search yet (%1). `automoe search PROJECT` makes one; this view follows it as it runs.")
                  .arg(historyPath());
  } else {
    try {
      const SearchHistory h = SearchHistory::load(historyPath().toStdString());
      m_candidates = h.candidates();
      m_generations = static_cast<int>(h.generations().size());
    } catch (const std::exception& e) {
      problem = tr("Cannot read the search history: %1").arg(QString::fromUtf8(e.what()));
    }
  }
  // The metrics every candidate has, the project's cost objective first when it is one of them.
  std::set<std::string> common;
  for (size_t i = 0; i < m_candidates.size(); ++i) {
    std::set<std::string> names;
    for (const auto& kv : m_candidates[i].metrics) names.insert(kv.first);
    if (i == 0) {
      common = names;
    } else {
      std::set<std::string> both;
      std::set_intersection(common.begin(), common.end(), names.begin(), names.end(), std::inserter(both, both.end()));
      common = both;
    }
  }
  QStringList metrics;
  if (common.count(m_project.search.costObjective)) metrics << QString::fromStdString(m_project.search.costObjective);
  for (const auto& n : common)
    if (!metrics.contains(QString::fromStdString(n))) metrics << QString::fromStdString(n);
  {
    const QSignalBlocker block(m_metric);
    m_metric->clear();
    for (const QString& m : metrics) m_metric->addItem(metricTitle(m), m);
    const int keep = m_metric->findData(keepMetric);
    m_metric->setCurrentIndex(keep >= 0 ? keep : (metrics.isEmpty() ? -1 : 0));
  }
  m_plot->select(keepSelected);
  showMetric();
  if (!problem.isEmpty()) m_status->setText(problem);
  Q_EMIT reloaded();
}

void SearchPanel::showMetric() {
  const std::string metric = costMetric().toStdString();
  QVector<ParetoPoint> points;
  if (!metric.empty())
    for (const SearchCandidate& c : m_candidates) points << ParetoPoint{c.id, c.metric(metric), c.fitness, c.feasible};
  m_plot->setPoints(points, metricTitle(costMetric()));

  m_frontList->clear();
  m_frontList->setHeaderLabels({tr("candidate"), tr("loss"), metricTitle(costMetric()), tr("generation")});
  const auto byId = [this](int id) -> const SearchCandidate* {
    for (const SearchCandidate& c : m_candidates)
      if (c.id == id) return &c;
    return nullptr;
  };
  for (int id : m_plot->frontIds()) {
    const SearchCandidate* c = byId(id);
    auto* item = new QTreeWidgetItem(m_frontList, {QString::number(id), QString::number(c->fitness, 'f', 4),
                                                   formatMetric(costMetric(), c->metric(metric)),
                                                   QString::number(c->generation)});
    item->setData(0, Qt::UserRole, id);
    item->setToolTip(0, QString::fromStdString(c->arch.summary()));
    if (id == m_plot->selected()) m_frontList->setCurrentItem(item);
  }
  m_frontList->header()->resizeSections(QHeaderView::ResizeToContents);

  const auto best = std::min_element(m_candidates.begin(), m_candidates.end(),
                                     [](const SearchCandidate& a, const SearchCandidate& b) {
                                       if (a.feasible != b.feasible) return a.feasible;
                                       return a.fitness < b.fitness;
                                     });
  if (best != m_candidates.end())
    m_status->setText(tr("%1 candidates, %2 generations done · front of %3 · lowest loss %4 (candidate %5)")
                          .arg(m_candidates.size())
                          .arg(m_generations)
                          .arg(m_plot->frontIds().size())
                          .arg(best->fitness, 0, 'f', 4)
                          .arg(best->id));
}

void SearchPanel::chooseCandidate(int id) {
  for (const SearchCandidate& c : m_candidates)
    if (c.id == id) {
      m_plot->select(id);
      for (int i = 0; i < m_frontList->topLevelItemCount(); ++i)
        if (m_frontList->topLevelItem(i)->data(0, Qt::UserRole).toInt() == id)
          m_frontList->setCurrentItem(m_frontList->topLevelItem(i));
      Q_EMIT candidateChosen(c.arch, tr("candidate %1").arg(id));
      return;
    }
}

}  // namespace automoe::widgets
