#pragma once
// Runs a training job (core's runTrainingJob) on a worker thread (BackgroundJob) and turns its
// observer calls into Qt signals, delivered on the thread that owns the runner (the GUI's). One
// run at a time; a stop request ends the run after the current update, with a checkpoint.
// Exceptions end at the thread's edge as failed(). Destroying a runner stops its run and waits.
#include <QObject>
#include <QString>
#include <memory>

#include "project/project.h"
#include "train/train_result.h"
#include "train/training_job.h"
#include "train/training_observer.h"
#include "train/training_options.h"
#include "util/core_metatypes.h"

namespace automoe::widgets {

class BackgroundJob;

class TrainingRunner : public QObject {
  Q_OBJECT

 public:
  explicit TrainingRunner(QObject* parent = nullptr);
  ~TrainingRunner() override;

  // Starts the run; false (nothing started) while one is still running.
  bool start(const Project& project, const TrainingOptions& options, const TrainingJob& job);
  // Asks the run to stop after its current update; it saves a checkpoint and then finishes.
  void requestStop();
  // From start() until finished() or failed() has been delivered.
  bool isRunning() const;

 Q_SIGNALS:
  void started();
  void stepDone(const automoe::TrainStepStats& stats);
  void validationDone(const automoe::ValidationStats& stats);
  void checkpointSaved(const QString& path, qint64 step);
  void message(const QString& text);
  void finished(const automoe::TrainResult& result);
  void failed(const QString& error);

 private:
  BackgroundJob* m_job;
  TrainResult m_result;  // written by the worker, read once it has ended
};

}  // namespace automoe::widgets
