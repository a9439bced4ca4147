#pragma once
// The search view: the project's search history (<search.run_dir>/history.jsonl) as a Pareto plot
// of validation loss against a chosen cost metric, with the front listed beside it. It follows
// the file as `automoe search` appends to it (a file watcher, debounced), so a search running in a
// terminal shows here live. *Search* runs the project's search here on a worker thread
// (SearchRunner; it resumes the history unless *Start over*), *Stop* ends it keeping every
// evaluated candidate. Clicking a point or a row chooses that candidate: the window then shows its
// architecture.
#include <QString>
#include <QTimer>
#include <QWidget>
#include <vector>

#include "project/project.h"
#include "search/search_candidate.h"
#include "util/core_metatypes.h"

class QCheckBox;
class QComboBox;
class QFileSystemWatcher;
class QPushButton;
class QTreeWidget;

namespace automoe::widgets {

class JobControls;
class ParetoPlot;
class SearchRunner;

class SearchPanel : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kReloadDelayMs = 300;  // after the last change seen

  explicit SearchPanel(Project project, QWidget* parent = nullptr);

  QString historyPath() const;
  // The metric on the x axis ("" while the history has none).
  QString costMetric() const;
  const std::vector<SearchCandidate>& candidates() const { return m_candidates; }
  // The candidate chosen last (nullptr before any is, or once it has left the history).
  const SearchCandidate* chosenCandidate() const;

  ParetoPlot* pareto() const { return m_plot; }
  QComboBox* metricBox() const { return m_metric; }
  QTreeWidget* frontList() const { return m_frontList; }
  QString statusText() const;
  QString logText() const;
  SearchRunner* runner() const { return m_runner; }
  QPushButton* startButton() const;
  QPushButton* stopButton() const;
  QCheckBox* freshBox() const;
  QCheckBox* syntheticBox() const;
  bool isRunning() const;

  // A metric's axis title: "predicted latency (ms)".
  static QString metricTitle(const QString& metric);
  // A value of the metric as the front list shows it: "12.34" (ms), "49.71 M".
  static QString formatMetric(const QString& metric, double value);

 public Q_SLOTS:
  // Reads the history again (keeping the chosen metric and candidate where they still exist).
  void reload();
  // Marks candidate `id` and reports its architecture (nothing for an unknown id).
  void chooseCandidate(int id);
  void startSearch();
  void stopSearch();
  // While `reason` is not empty, a search cannot start (the button's tool tip says why).
  void setBlocked(const QString& reason);

 Q_SIGNALS:
  void candidateChosen(const automoe::ArchConfig& arch, const QString& label);
  void reloaded();
  void runStarted();
  void runEnded();

 private:
  void showMetric();
  void watch();
  void log(const QString& line);
  void updateStatus();
  void runFinished(const QString& summary, bool stopped);
  void runFailed(const QString& error);

  Project m_project;
  std::vector<SearchCandidate> m_candidates;
  int m_chosenId = -1;
  int m_generations = 0;
  ParetoPlot* m_plot;
  QComboBox* m_metric;
  QTreeWidget* m_frontList;
  QFileSystemWatcher* m_watcher;
  SearchRunner* m_runner;
  JobControls* m_controls;
  QString m_runState;     // the search run here: its latest line, or how it ended
  QString m_historyText;  // the history's summary, or why there is none
  QTimer m_reloadTimer;
};

}  // namespace automoe::widgets
