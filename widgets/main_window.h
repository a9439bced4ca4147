#pragma once
// The workbench window: six tabs in the centre, the architecture diagram, supernet training with
// its live curves, latency measurement and its predictor, the search's Pareto front (a chosen
// candidate is shown as the architecture), the model stages of the subnet shown (export,
// retraining, evaluation, translation), and the whole pipeline as `automoe run` runs it;
// the search space and the subnet's statistics in docks; and actions that
// sample another subnet (explicit, incrementing seed) or show the largest / smallest one; File
// asks to open another project (ProjectLauncher does, in a new window replacing this one). Closing
// it while a job runs stops it (keeping its checkpoint, history or measured samples) first. One
// job runs at a time: while one runs, the other tabs' start buttons say which and wait.
#include <QMainWindow>
#include <cstdint>

#include "arch/arch_config.h"
#include "project/project.h"

class QAction;
class QLabel;
class QLineEdit;
class QMenu;
class QTabWidget;

namespace automoe::widgets {

class ArchStatsPanel;
class ArchViewWidget;
class LatencyPanel;
class ModelPanel;
class PipelinePanel;
class SearchPanel;
class SearchSpaceView;
class TrainingPanel;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(Project project, QWidget* parent = nullptr);

  const Project& project() const { return m_project; }
  const ArchConfig& currentArch() const { return m_arch; }
  // Seed of the last sampled subnet; the next "Sample subnet" uses seed() + 1.
  uint64_t seed() const { return m_seed; }
  // What is shown: "seed N", "largest" or "smallest".
  QString archSource() const { return m_source; }

  ArchViewWidget* archView() const { return m_view; }
  SearchSpaceView* searchSpaceView() const { return m_spaceView; }
  ArchStatsPanel* statsPanel() const { return m_stats; }
  TrainingPanel* trainingPanel() const { return m_training; }
  SearchPanel* searchPanel() const { return m_search; }
  LatencyPanel* latencyPanel() const { return m_latency; }
  ModelPanel* modelPanel() const { return m_model; }
  PipelinePanel* pipelinePanel() const { return m_pipeline; }
  QTabWidget* tabs() const { return m_tabs; }
  QAction* sampleAction() const { return m_sampleAction; }
  QAction* openAction() const { return m_openAction; }
  QMenu* recentMenu() const { return m_recentMenu; }
  bool isRunningJob() const;

  // Geometry and dock layout are saved to QSettings on close and restored by
  // restoreWindowSettings() only when enabled (the app enables it; tests and screenshots do not).
  void setPersistentSettings(bool enabled) { m_persist = enabled; }
  void restoreWindowSettings();

 public Q_SLOTS:
  void sampleNext();
  void sampleWithSeed(quint64 seed);
  void showLargest();
  void showSmallest();

 Q_SIGNALS:
  void archShown(const QString& source);
  // File > Open project… (an empty path: ask for one) or File > Open recent (its path). Only
  // while no job runs (the actions are disabled meanwhile); ProjectLauncher opens it.
  void openProjectRequested(const QString& path);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildActions();
  void buildDocks();
  void showArch(const ArchConfig& arch, const QString& source);
  void seedEdited();
  void fillRecentMenu();
  // One job at a time: while one runs, the others' start buttons are disabled, saying why.
  void updateBlocks();
  // After a pipeline run: the other tabs read again what it wrote.
  void reloadAfterPipeline();

  Project m_project;
  ArchConfig m_arch;
  uint64_t m_seed;
  QString m_source;
  bool m_persist = false;

  ArchViewWidget* m_view;
  SearchSpaceView* m_spaceView = nullptr;
  ArchStatsPanel* m_stats = nullptr;
  QAction* m_sampleAction = nullptr;
  QAction* m_openAction = nullptr;
  QMenu* m_recentMenu = nullptr;
  QLineEdit* m_seedEdit = nullptr;
  QLabel* m_summary = nullptr;
  QTabWidget* m_tabs = nullptr;
  TrainingPanel* m_training = nullptr;
  SearchPanel* m_search = nullptr;
  LatencyPanel* m_latency = nullptr;
  ModelPanel* m_model = nullptr;
  PipelinePanel* m_pipeline = nullptr;
  bool m_closeWhenStopped = false;
};

}  // namespace automoe::widgets
