#pragma once
// The supernet training view: start and stop `automoe train` for the open project on a worker
// thread (TrainingRunner), and prepare the corpus it needs (core's data job), with the live loss
// curves, the latest update's expert load per layer, a status line (update, loss, speed, learning
// rate, busiest expert, dropped tokens) and a log of its messages. The curves begin with the run
// folder's history (metrics.jsonl), so a resumed run continues them; nothing of a run is lost
// when the panel or the window closes (a stop saves a checkpoint).
#include <QString>
#include <QWidget>

#include "project/project.h"
#include "train/train_result.h"

class QCheckBox;
class QComboBox;
class QPushButton;
class QSpinBox;

namespace automoe {
struct TrainStepStats;
struct ValidationStats;
}  // namespace automoe

namespace automoe::widgets {

class BackgroundJob;
class ExpertLoadView;
class JobControls;
class TrainingCurvesPlot;
class TrainingRunner;

class TrainingPanel : public QWidget {
  Q_OBJECT

 public:
  explicit TrainingPanel(Project project, QWidget* parent = nullptr);
  ~TrainingPanel() override;

  // Training, or preparing the corpus.
  bool isRunning() const;
  // Whether what runs is the corpus preparation (not training).
  bool isPreparingCorpus() const;
  // The run folder the next run trains in.
  QString runDir() const;

  TrainingRunner* runner() const { return m_runner; }
  TrainingCurvesPlot* curves() const { return m_curves; }
  ExpertLoadView* expertLoad() const { return m_load; }
  QPushButton* startButton() const;
  QPushButton* stopButton() const;
  QSpinBox* updatesBox() const { return m_updates; }
  QComboBox* precisionBox() const { return m_precision; }
  QSpinBox* threadsBox() const { return m_threads; }
  QPushButton* prepareButton() const { return m_prepare; }
  QCheckBox* freshBox() const;
  QCheckBox* syntheticBox() const;
  QString statusText() const;
  QString logText() const;

 public Q_SLOTS:
  void start();
  // Stops training after its current update, or the corpus preparation.
  void stop();
  // `automoe data all` on a worker thread: the corpus, then its tokenizer and shards.
  void prepareCorpus();
  // Replaces the curves with the run folder's history.
  void loadHistory();
  // While `reason` is not empty, neither training nor the corpus preparation can start (their
  // buttons' tool tips say why).
  void setBlocked(const QString& reason);

 Q_SIGNALS:
  void runStarted();
  void runEnded();

 private:
  void buildRunOptions();
  void connectJobs();
  void showStep(const automoe::TrainStepStats& s);
  void showLoad(const automoe::TrainStepStats& s);
  void showValidation(const automoe::ValidationStats& v);
  void runFinished(const automoe::TrainResult& r);
  void runFailed(const QString& error);
  void log(const QString& line);
  void setRunning(bool running);

  Project m_project;
  TrainingRunner* m_runner;
  TrainingCurvesPlot* m_curves;
  ExpertLoadView* m_load;
  JobControls* m_controls;
  QSpinBox* m_updates;
  QComboBox* m_precision;
  QSpinBox* m_threads;
  QPushButton* m_prepare;
  BackgroundJob* m_dataJob;
  QString m_dataSummary;  // written by the data job's worker, read once it has ended
  bool m_running = false;
};

}  // namespace automoe::widgets
