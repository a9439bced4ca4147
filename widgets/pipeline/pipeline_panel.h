#pragma once
// The pipeline view: `automoe run` for the open project in the GUI. A table (PipelineStageTable)
// lists the pipeline's stages, corpus → tokenizer → supernet → latency → predictor → search →
// export → retrain → evaluate, with where each stands as a run would find it, read from
// runs/pipeline.json (core's pipelineStatus) when the tab is created or shown and after a run.
// *Run pipeline* runs every stage that is not up to date, in order, on a worker thread
// (PipelineRunner): the running stage is marked in the table, its progress shown in a line and
// every stage's messages in the log. *Stop* ends the running stage keeping what it did (the next
// run resumes it). *Trial run* runs the trial project instead (every stage shrunk, outputs under
// runs/trial), as `automoe run --trial` does, and the table shows its stages. Like `automoe run`,
// it reads the project file as it is on disk: a section edited since the window opened shows as
// changed.
#include <QString>
#include <QWidget>
#include <optional>
#include <vector>

#include "pipeline/pipeline_job.h"
#include "project/project.h"
#include "util/core_metatypes.h"

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace automoe::widgets {

class PipelineRunner;
class PipelineStageTable;

class PipelinePanel : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kLogLines = 5000;  // the log keeps the latest lines

  explicit PipelinePanel(Project project, QWidget* parent = nullptr);

  // The project file the table shows and a run reads: the project's own, or with *Trial run* its
  // trial project (<project dir>/runs/trial/project.json).
  QString shownProjectPath() const;
  bool isTrial() const;
  bool isRunning() const;
  // The state in words the table shows for `stage` ("" for a stage it does not list).
  QString stateText(const QString& stage) const;
  // The last pipelineStatus() read (empty when it failed).
  const std::vector<PipelineStageStatus>& stages() const { return m_stages; }

  PipelineRunner* runner() const { return m_runner; }
  PipelineStageTable* stageTable() const { return m_table; }
  QPushButton* runButton() const { return m_run; }
  QPushButton* stopButton() const { return m_stop; }
  QCheckBox* trialBox() const { return m_trial; }
  QPlainTextEdit* logView() const { return m_log; }
  QString progressText() const;
  QString statusText() const;
  QString logText() const;

 public Q_SLOTS:
  void run();
  void stop();
  // Reads the stages' states again (not while a run goes: the rows follow the run then).
  void refresh();
  // While `reason` is not empty, a run cannot start (the button's tool tip says why).
  void setBlocked(const QString& reason);

 Q_SIGNALS:
  void runningChanged(bool running);
  // A run completed: the retrained model's folder.
  void modelReady(const QString& modelDir);

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  QWidget* buildControls();
  void connectRunner();
  // The shown project as a run would read it (the trial project made in memory, not written);
  // nullopt with the reason in `error`.
  std::optional<Project> shownProject(QString* error) const;
  void stageStarted(int index, int count, const QString& name, const QString& title, const QString& why);
  void stageDone(int index, int count, const QString& name, double seconds);
  void setProgress(const QString& detail);
  void runFinished(const automoe::PipelineResult& r);
  void runEnded(const QString& status);
  void setRunning(bool running);
  void updateStatus();
  void log(const QString& line);

  Project m_project;
  std::vector<PipelineStageStatus> m_stages;
  PipelineRunner* m_runner;
  PipelineStageTable* m_table;
  QPushButton* m_run;
  QPushButton* m_stop;
  QCheckBox* m_trial;
  QLabel* m_progress;
  QLabel* m_status;
  QPlainTextEdit* m_log;
  QString m_runTip;
  QString m_blocked;
  QString m_runStatus;     // how the last run ended
  QString m_refreshError;  // why the stages' states could not be read ("" when they could)
  QString m_stageLabel;    // "[3/9] supernet" while a stage runs
  bool m_running = false;
};

}  // namespace automoe::widgets
