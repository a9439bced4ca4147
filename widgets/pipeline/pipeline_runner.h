#pragma once
// Runs `automoe run`'s pipeline (core's runPipelineJob) on a worker thread (BackgroundJob) and turns
// its observer calls into Qt signals on the owner's thread: each stage found up to date, started and
// done, the stages' messages, and their progress (training updates and validations of the supernet
// and retraining stages, latency samples, search candidates and generations). One run at a time; a
// stop request ends the running stage the way its own job stops (every completed update, sample
// and candidate kept) and the run finishes as Stopped; the next start resumes there. Exceptions
// (a bad project or state file, a stage's refusal) end at the thread's edge as failed().
// Destroying a runner stops its run and waits.
#include <QObject>
#include <QString>
#include <functional>

#include "pipeline/pipeline_job.h"
#include "project/project.h"
#include "util/core_metatypes.h"

namespace automoe::widgets {

class BackgroundJob;

class PipelineRunner : public QObject {
  Q_OBJECT

 public:
  explicit PipelineRunner(QObject* parent = nullptr);
  ~PipelineRunner() override;

  // Runs the pipeline of `project` (loaded from its file); false (nothing started) while a run is
  // still going.
  bool start(const Project& project);
  // Loads the project file (or the folder holding project.json) at `path` on the worker thread and
  // runs it; with `trial`, first writes its trial project (writeTrialProject, as `automoe run
  // --trial` does) and runs that.
  bool start(const QString& path, bool trial = false);
  void requestStop();
  // From start() until finished() or failed() has been delivered.
  bool isRunning() const;

 Q_SIGNALS:
  void started();
  // `index` is 0-based, of `count` stages; `name` as "supernet", `title` its one-line description.
  void stageUpToDate(int index, int count, const QString& name, const QString& title);
  // `why` says why a stage that ran before runs again ("resuming", "inputs changed: …"), else "".
  void stageStarted(int index, int count, const QString& name, const QString& title, const QString& why);
  void stageDone(int index, int count, const QString& name, double seconds);
  void message(const QString& text);
  // A training update of the supernet or retraining stage, and the updates that stage ends at.
  void stepDone(const automoe::TrainStepStats& stats, qint64 plannedUpdates);
  void validationDone(const automoe::ValidationStats& stats);
  void checkpointSaved(const QString& path, qint64 step);
  // The latency stage measured a subnet: plan entries stored so far, of `planned`; its latency.
  void latencySampleMeasured(int stored, int planned, double ms);
  void candidateEvaluated(int id, double fitness, bool fromHistory);
  // A search generation (0-based) of `generations`, in a line as the Search tab logs it.
  void generationDone(int generation, int generations, const QString& summary);
  void finished(const automoe::PipelineResult& result);
  void failed(const QString& error);

 private:
  bool startWork(std::function<Project()> load);

  BackgroundJob* m_job;
  PipelineResult m_result;  // written by the worker, read once it has ended
};

}  // namespace automoe::widgets
