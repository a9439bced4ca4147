#include "search/search_panel.h"

#include <QComboBox>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTime>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <exception>
#include <set>

#include "arch/arch_stats_panel.h"
#include "plot/pareto_plot.h"
#include "search/search_history.h"
#include "search/search_runner.h"
#include "util/job_controls.h"

namespace automoe::widgets {

namespace {

// The metrics every candidate carries, `preferred` first when it is one of them.
QStringList commonMetrics(const std::vector<SearchCandidate>& candidates, const std::string& preferred) {
  std::set<std::string> common;
  for (size_t i = 0; i < candidates.size(); ++i) {
    std::set<std::string> names;
    for (const auto& kv : candidates[i].metrics) names.insert(kv.first);
    if (i == 0) {
      common = names;
      continue;
    }
    std::set<std::string> both;
    std::set_intersection(common.begin(), common.end(), names.begin(), names.end(), std::inserter(both, both.end()));
    common = both;
  }
  QStringList metrics;
  if (common.count(preferred)) metrics << QString::fromStdString(preferred);
  for (const auto& n : common)
    if (n != preferred) metrics << QString::fromStdString(n);
  return metrics;
}

}  // namespace

SearchPanel::SearchPanel(Project project, QWidget* parent)
    : QWidget(parent),
      m_project(std::move(project)),
      m_plot(new ParetoPlot(this)),
      m_metric(new QComboBox(this)),
      m_frontList(new QTreeWidget(this)),
      m_watcher(new QFileSystemWatcher(this)),
      m_runner(new SearchRunner(this)),
      m_controls(new JobControls(
          QStringLiteral("search"),
          {tr("Search"), tr("Search with the trained supernet (resumes the stored history unless \"Start over\")"),
           tr("Stop after the candidate being evaluated; every evaluated one is kept"),
           tr("Replace the stored search history with a new search"),
           tr("Measure fitness on the synthetic corpus instead of the prepared validation set")},
          this)) {
  qRegisterMetaType<automoe::ArchConfig>();
  setObjectName(QStringLiteral("searchPanel"));
  m_metric->setObjectName(QStringLiteral("searchMetric"));
  m_metric->setToolTip(tr("The cost on the horizontal axis"));
  m_frontList->setObjectName(QStringLiteral("searchFront"));
  m_frontList->setRootIsDecorated(false);
  m_frontList->setUniformRowHeights(true);
  m_frontList->setToolTip(tr("The Pareto front, by cost; choose one to see its architecture"));

  m_controls->addToRow(new QLabel(tr("cost"), this));
  m_controls->addToRow(m_metric);
  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(m_plot);
  split->addWidget(m_frontList);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  split->setChildrenCollapsible(false);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(m_controls);
  layout->addWidget(split, 1);
  layout->addWidget(m_controls->logView());

  connect(m_controls, &JobControls::startClicked, this, &SearchPanel::startSearch);
  connect(m_controls, &JobControls::stopClicked, this, &SearchPanel::stopSearch);
  connect(m_runner, &SearchRunner::message, this, &SearchPanel::log);
  connect(m_runner, &SearchRunner::generationDone, this, [this](int, const QString& line) {
    log(line);
    m_runState = line;
    reload();
  });
  connect(m_runner, &SearchRunner::finished, this, &SearchPanel::runFinished);
  connect(m_runner, &SearchRunner::failed, this, &SearchPanel::runFailed);
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
QString SearchPanel::statusText() const { return m_controls->status(); }
QString SearchPanel::logText() const { return m_controls->logText(); }
QPushButton* SearchPanel::startButton() const { return m_controls->startButton(); }
QPushButton* SearchPanel::stopButton() const { return m_controls->stopButton(); }
QCheckBox* SearchPanel::freshBox() const { return m_controls->freshBox(); }
QCheckBox* SearchPanel::syntheticBox() const { return m_controls->syntheticBox(); }
bool SearchPanel::isRunning() const { return m_runner->isRunning(); }

void SearchPanel::startSearch() {
  if (isRunning() || !m_controls->blocked().isEmpty()) return;
  SearchJob job;
  job.fresh = m_controls->fresh();
  job.synthetic = m_controls->synthetic();
  if (!m_runner->start(m_project, job)) return;
  m_controls->clearFresh();  // a second start resumes this search
  m_runState = tr("searching: loading the supernet and the validation data…");
  m_controls->setRunning(true);
  updateStatus();
  Q_EMIT runStarted();
  log(tr("%1 search in %2").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), historyPath()));
}

void SearchPanel::setBlocked(const QString& reason) { m_controls->setBlocked(reason); }

void SearchPanel::stopSearch() {
  if (!isRunning()) return;
  m_runner->requestStop();
  m_controls->stopping();
  m_runState = tr("stopping after the candidate being evaluated…");
  updateStatus();
}

void SearchPanel::runFinished(const QString& summary, bool) {
  m_controls->setRunning(false);
  m_runState = summary;
  reload();
  log(summary);
  Q_EMIT runEnded();
}

void SearchPanel::runFailed(const QString& error) {
  m_controls->setRunning(false);
  m_runState = tr("Search failed: %1").arg(error);
  log(tr("error: %1").arg(error));
  updateStatus();
  Q_EMIT runEnded();
}

void SearchPanel::updateStatus() {
  QStringList parts;
  for (const QString& part : {m_runState, m_historyText})
    if (!part.isEmpty()) parts << part;
  m_controls->setStatus(parts.join(QStringLiteral(" — ")));
}

void SearchPanel::log(const QString& line) { m_controls->log(line); }

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
  const QStringList metrics = commonMetrics(m_candidates, m_project.search.costObjective);
  {
    const QSignalBlocker block(m_metric);
    m_metric->clear();
    for (const QString& m : metrics) m_metric->addItem(metricTitle(m), m);
    const int keep = m_metric->findData(keepMetric);
    m_metric->setCurrentIndex(keep >= 0 ? keep : (metrics.isEmpty() ? -1 : 0));
  }
  m_plot->select(keepSelected);
  showMetric();
  if (!problem.isEmpty()) m_historyText = problem;
  updateStatus();
  Q_EMIT reloaded();
}

void SearchPanel::showMetric() {
  const std::string metric = costMetric().toStdString();
  QVector<ParetoPoint> points;
  QHash<int, QString> labels;  // hover text: what the candidate is and costs
  if (!metric.empty())
    for (const SearchCandidate& c : m_candidates) {
      points << ParetoPoint{c.id, c.metric(metric), c.fitness, c.feasible};
      QString text = tr("candidate %1 (generation %2, %3)%4\nloss %5\n%6")
                         .arg(c.id)
                         .arg(c.generation)
                         .arg(QString::fromStdString(c.origin))
                         .arg(c.feasible ? QString() : tr(", outside a constraint"))
                         .arg(c.fitness, 0, 'f', 4)
                         .arg(QString::fromStdString(c.arch.summary()));
      for (const auto& [name, value] : c.metrics)
        text += QStringLiteral("\n%1: %2").arg(metricTitle(QString::fromStdString(name)),
                                               formatMetric(QString::fromStdString(name), value));
      labels.insert(c.id, text);
    }
  m_plot->setPoints(points, metricTitle(costMetric()), labels);

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
  m_historyText.clear();
  if (best != m_candidates.end())
    m_historyText = tr("%1 candidates, %2 generations done · front of %3 · lowest loss %4 (candidate %5)")
                        .arg(m_candidates.size())
                        .arg(m_generations)
                        .arg(m_plot->frontIds().size())
                        .arg(best->fitness, 0, 'f', 4)
                        .arg(best->id);
  updateStatus();
}

void SearchPanel::chooseCandidate(int id) {
  for (const SearchCandidate& c : m_candidates)
    if (c.id == id) {
      m_plot->select(id);
      for (int i = 0; i < m_frontList->topLevelItemCount(); ++i)
        if (m_frontList->topLevelItem(i)->data(0, Qt::UserRole).toInt() == id)
          m_frontList->setCurrentItem(m_frontList->topLevelItem(i));
      m_chosenId = id;
      Q_EMIT candidateChosen(c.arch, tr("candidate %1").arg(id));
      return;
    }
}

const SearchCandidate* SearchPanel::chosenCandidate() const {
  for (const SearchCandidate& c : m_candidates)
    if (c.id == m_chosenId) return &c;
  return nullptr;
}

}  // namespace automoe::widgets
