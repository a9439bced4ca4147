#include "main_window.h"

#include <QAction>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QRegularExpressionValidator>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <exception>

#include "arch/arch_stats.h"
#include "arch/arch_stats_panel.h"
#include "arch/arch_view_widget.h"
#include "arch/search_space_view.h"
#include "latency/latency_panel.h"
#include "model/model_panel.h"
#include "pipeline/pipeline_panel.h"
#include "project/recent_projects.h"
#include "search/search_panel.h"
#include "train/training_panel.h"

namespace automoe::widgets {

namespace {
constexpr int kStatsTokens = 30;  // source and target sentence length for the FLOPs estimate
}

MainWindow::MainWindow(Project project, QWidget* parent)
    : QMainWindow(parent),
      m_project(std::move(project)),
      m_seed(m_project.seed),
      m_view(new ArchViewWidget(this)) {
  setObjectName(QStringLiteral("mainWindow"));
  setWindowTitle(tr("%1 — AutoMoE Workbench").arg(QString::fromStdString(m_project.name)));
  m_training = new TrainingPanel(m_project, this);
  m_tabs = new QTabWidget(this);
  m_tabs->setObjectName(QStringLiteral("centralTabs"));
  m_tabs->setDocumentMode(true);
  m_tabs->addTab(m_view, tr("Architecture"));
  m_tabs->addTab(m_training, tr("Training"));
  m_latency = new LatencyPanel(m_project, this);
  m_tabs->addTab(m_latency, tr("Latency"));
  m_search = new SearchPanel(m_project, this);
  m_tabs->addTab(m_search, tr("Search"));
  m_model = new ModelPanel(m_project, this);
  m_tabs->addTab(m_model, tr("Model"));
  m_pipeline = new PipelinePanel(m_project, this);
  m_tabs->addTab(m_pipeline, tr("Pipeline"));
  // A candidate chosen in the search is shown as the architecture.
  connect(m_search, &SearchPanel::candidateChosen, this, [this](const ArchConfig& arch, const QString& label) {
    showArch(arch, label);
    if (const SearchCandidate* c = m_search->chosenCandidate())  // its id and loss go on an exported card
      m_model->setCandidate(c->id, c->fitness);
    m_tabs->setCurrentWidget(m_view);
  });
  // A close asked for while a job runs stops it first; the window closes once every job has
  // ended (training with a checkpoint, the search with its history).
  const auto closeIfStopped = [this] {
    if (m_closeWhenStopped && !isRunningJob()) close();
  };
  connect(m_training, &TrainingPanel::runEnded, this, closeIfStopped);
  connect(m_search, &SearchPanel::runEnded, this, closeIfStopped);
  connect(m_latency, &LatencyPanel::runEnded, this, closeIfStopped);
  connect(m_model, &ModelPanel::runEnded, this, closeIfStopped);
  connect(m_pipeline, &PipelinePanel::runningChanged, this, [this, closeIfStopped](bool running) {
    updateBlocks();
    if (running) return;
    reloadAfterPipeline();
    closeIfStopped();
  });
  connect(m_model, &ModelPanel::runStarted, this, &MainWindow::updateBlocks);
  connect(m_model, &ModelPanel::runEnded, this, &MainWindow::updateBlocks);
  connect(m_training, &TrainingPanel::runStarted, this, &MainWindow::updateBlocks);
  connect(m_training, &TrainingPanel::runEnded, this, &MainWindow::updateBlocks);
  connect(m_search, &SearchPanel::runStarted, this, &MainWindow::updateBlocks);
  connect(m_search, &SearchPanel::runEnded, this, &MainWindow::updateBlocks);
  connect(m_latency, &LatencyPanel::runStarted, this, &MainWindow::updateBlocks);
  connect(m_latency, &LatencyPanel::runEnded, this, &MainWindow::updateBlocks);
  setCentralWidget(m_tabs);

  m_view->setModelOptions(m_project.model);
  m_summary = new QLabel(this);
  m_summary->setObjectName(QStringLiteral("archSummary"));
  m_summary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  statusBar()->addWidget(m_summary, 1);
  buildDocks();
  buildActions();
  sampleWithSeed(m_seed);
  m_view->setFocus();
}

void MainWindow::buildDocks() {
  m_spaceView = new SearchSpaceView(this);
  m_spaceView->setSpace(m_project.space);
  auto* spaceDock = new QDockWidget(tr("Search space"), this);
  spaceDock->setObjectName(QStringLiteral("searchSpaceDock"));
  spaceDock->setWidget(m_spaceView);
  addDockWidget(Qt::RightDockWidgetArea, spaceDock);

  m_stats = new ArchStatsPanel(this);
  auto* statsDock = new QDockWidget(tr("Statistics"), this);
  statsDock->setObjectName(QStringLiteral("statsDock"));
  statsDock->setWidget(m_stats);
  addDockWidget(Qt::RightDockWidgetArea, statsDock);
  splitDockWidget(spaceDock, statsDock, Qt::Vertical);

  resizeDocks({spaceDock}, {360}, Qt::Horizontal);
  resizeDocks({spaceDock, statsDock}, {440, 400}, Qt::Vertical);
}

void MainWindow::buildActions() {
  m_sampleAction = new QAction(tr("Sample subnet"), this);
  m_sampleAction->setObjectName(QStringLiteral("sampleAction"));
  m_sampleAction->setShortcut(Qt::CTRL | Qt::Key_R);
  m_sampleAction->setToolTip(tr("Sample another subnet with the next seed (Ctrl+R)"));
  connect(m_sampleAction, &QAction::triggered, this, &MainWindow::sampleNext);
  auto* largest = new QAction(tr("Largest"), this);
  largest->setObjectName(QStringLiteral("largestAction"));
  largest->setToolTip(tr("Every dimension at its largest choice"));
  connect(largest, &QAction::triggered, this, &MainWindow::showLargest);
  auto* smallest = new QAction(tr("Smallest"), this);
  smallest->setObjectName(QStringLiteral("smallestAction"));
  smallest->setToolTip(tr("Every dimension at its smallest choice"));
  connect(smallest, &QAction::triggered, this, &MainWindow::showSmallest);

  m_seedEdit = new QLineEdit(this);
  m_seedEdit->setObjectName(QStringLiteral("seedEdit"));
  m_seedEdit->setValidator(
      new QRegularExpressionValidator(QRegularExpression(QStringLiteral("\\d{1,19}")), this));
  m_seedEdit->setMaximumWidth(fontMetrics().averageCharWidth() * 14);
  m_seedEdit->setToolTip(tr("Seed of the sampled subnet; edit and press Enter to sample it"));
  connect(m_seedEdit, &QLineEdit::editingFinished, this, &MainWindow::seedEdited);

  auto* bar = addToolBar(tr("Architecture"));
  bar->setObjectName(QStringLiteral("archToolBar"));
  bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  bar->addAction(m_sampleAction);
  bar->addWidget(new QLabel(tr("  seed "), this));
  bar->addWidget(m_seedEdit);
  bar->addSeparator();
  bar->addAction(largest);
  bar->addAction(smallest);

  QMenu* file = menuBar()->addMenu(tr("&File"));
  m_openAction = file->addAction(tr("&Open project…"), this, [this] { Q_EMIT openProjectRequested(QString()); });
  m_openAction->setObjectName(QStringLiteral("openProjectAction"));
  m_openAction->setShortcut(QKeySequence::Open);
  m_recentMenu = file->addMenu(tr("Open &recent"));
  m_recentMenu->setObjectName(QStringLiteral("recentProjectsMenu"));
  connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
  fillRecentMenu();
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);
  QMenu* arch = menuBar()->addMenu(tr("&Architecture"));
  arch->addActions({m_sampleAction, largest, smallest});
  QMenu* view = menuBar()->addMenu(tr("&View"));
  for (auto* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());
}

void MainWindow::fillRecentMenu() {
  m_recentMenu->clear();
  const QStringList recent = RecentProjects::list();
  for (int i = 0; i < recent.size(); ++i) {
    const QString path = recent[i];
    QAction* a = m_recentMenu->addAction(QStringLiteral("&%1 %2").arg(i + 1).arg(QDir::toNativeSeparators(path)),
                                         this, [this, path] { Q_EMIT openProjectRequested(path); });
    a->setData(path);
  }
  if (recent.isEmpty()) m_recentMenu->addAction(tr("(none yet)"))->setEnabled(false);
  m_recentMenu->addSeparator();
  m_recentMenu->addAction(tr("Clear list"), this, [] { RecentProjects::clear(); })->setEnabled(!recent.isEmpty());
}

bool MainWindow::isRunningJob() const {
  return m_training->isRunning() || m_search->isRunning() || m_latency->isRunning() || m_model->isRunning() ||
         m_pipeline->isRunning();
}

void MainWindow::reloadAfterPipeline() {
  m_training->loadHistory();
  m_latency->reload();
  m_search->reload();
  m_model->refreshModels();
  m_model->loadHistory();
}

void MainWindow::sampleNext() { sampleWithSeed(m_seed + 1); }

void MainWindow::sampleWithSeed(quint64 seed) {
  m_seed = seed;
  m_seedEdit->setText(QString::number(seed));
  showArch(m_project.space.sample(seed), tr("seed %1").arg(seed));
}

void MainWindow::showLargest() { showArch(m_project.space.largest(), tr("largest")); }
void MainWindow::showSmallest() { showArch(m_project.space.smallest(), tr("smallest")); }

void MainWindow::seedEdited() {
  bool ok = false;
  const quint64 seed = m_seedEdit->text().toULongLong(&ok);
  if (ok && m_source != tr("seed %1").arg(seed)) sampleWithSeed(seed);
}

void MainWindow::showArch(const ArchConfig& arch, const QString& source) {
  m_arch = arch;
  m_source = source;
  m_view->setArch(arch, m_project.space);
  m_model->setArch(arch, source);  // what the Model tab exports and retrains
  QString text = QStringLiteral("%1 — %2").arg(source, QString::fromStdString(arch.summary()));
  try {
    const ArchStats s = computeArchStats(arch, m_project.space.qkvDim, m_project.model.vocabSize,
                                         kStatsTokens, kStatsTokens, m_project.model.costOptions(arch));
    m_stats->setStats(s);
    text +=
        tr(" — %1 params, %2 active, %3 FLOPs")
            .arg(ArchStatsPanel::formatCount(static_cast<double>(s.totalParams)),
                 ArchStatsPanel::formatCount(s.activeParams), ArchStatsPanel::formatCount(s.flops));
  } catch (const std::exception& e) {
    m_stats->clear();
    text += tr(" — statistics unavailable: %1").arg(QString::fromUtf8(e.what()));
  }
  m_summary->setText(text);
  m_summary->setToolTip(text);
  Q_EMIT archShown(source);
}

void MainWindow::restoreWindowSettings() {
  QSettings settings;
  restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray());
  restoreState(settings.value(QStringLiteral("mainWindow/state")).toByteArray());
}

void MainWindow::updateBlocks() {
  // One job at a time: each keeps every core busy (two would halve each other and share the
  // process-wide thread settings), a search or model stage reads the checkpoint training
  // replaces, and latency is only worth measuring on a quiet machine. Fitting the latency
  // predictor takes seconds and measures nothing: only the pipeline, which fits it too, blocks it.
  QString running;
  if (m_pipeline->isRunning()) running = tr("The pipeline");
  else if (m_training->isPreparingCorpus()) running = tr("Corpus preparation");
  else if (m_training->isRunning()) running = tr("Supernet training");
  else if (m_search->isRunning()) running = tr("The search");
  else if (m_latency->isMeasuring()) running = tr("Latency measurement");
  else if (m_latency->isRunning()) running = tr("Fitting the latency predictor");
  else if (m_model->isRunning()) running = tr("A model stage (export, retraining, evaluation or translation)");
  const QString reason =
      running.isEmpty()
          ? QString()
          : tr("%1 is running: one job at a time (each keeps every core busy, and latency needs a quiet "
               "machine); wait for it to end, or stop it")
                .arg(running);
  m_training->setBlocked(m_training->isRunning() ? QString() : reason);
  m_search->setBlocked(m_search->isRunning() ? QString() : reason);
  m_latency->setBlocked(m_latency->isRunning() ? QString() : reason);
  m_latency->setFitBlocked(m_pipeline->isRunning() ? reason : QString());  // it writes the predictor too
  m_model->setBlocked(m_model->isRunning() ? QString() : reason);
  m_pipeline->setBlocked(m_pipeline->isRunning() ? QString() : reason);
  // Another project replaces this window: not while a job of this one runs.
  m_openAction->setEnabled(running.isEmpty());
  m_recentMenu->setEnabled(running.isEmpty());
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (isRunningJob()) {
    m_closeWhenStopped = true;
    m_training->stop();
    m_search->stopSearch();
    m_latency->stop();
    m_model->stop();
    m_pipeline->stop();
    statusBar()->showMessage(tr("Stopping; the window closes once every running job has ended (training and "
                                "retraining with a checkpoint, the search with its history)…"));
    event->ignore();
    return;
  }
  if (m_persist) {
    QSettings settings;
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainWindow/state"), saveState());
  }
  QMainWindow::closeEvent(event);
}

}  // namespace automoe::widgets
