#pragma once
// Runs the model stages of core on a worker thread (BackgroundJob), one at a time: exporting a
// subnet with the supernet's weights (runExportJob), retraining it from scratch (runRetrainJob,
// with its updates and validations as signals for the curves), evaluating a model folder
// (evaluateModelFolder: loss and BLEU, saved beside the model) and translating sentences with one
// (ModelTranslator). A stop ends export, retraining (with a checkpoint) and evaluation early.
// Destroying the runner stops its job and waits.
#include <QObject>
#include <QString>
#include <QStringList>

#include "arch/arch_config.h"
#include "eval/evaluation_options.h"
#include "eval/translator.h"
#include "export/export_job.h"
#include "project/project.h"
#include "train/retrain_job.h"
#include "train/training_observer.h"
#include "util/core_metatypes.h"

namespace automoe::widgets {

class BackgroundJob;

class ModelRunner : public QObject {
  Q_OBJECT

 public:
  explicit ModelRunner(QObject* parent = nullptr);
  ~ModelRunner() override;

  // Each returns false (nothing started) while a job is still running.
  bool startExport(const Project& project, const ArchConfig& arch, const ExportJob& job);
  bool startRetrain(const Project& project, const ArchConfig& arch, const RetrainJob& job);
  bool startEvaluation(const Project& project, const QString& modelDir, const EvaluationOptions& options);
  bool startTranslation(const QString& modelDir, const QStringList& lines, const TranslatorOptions& options);
  void requestStop();
  bool isRunning() const;

 Q_SIGNALS:
  void message(const QString& text);
  void stepDone(const automoe::TrainStepStats& stats);
  void validationDone(const automoe::ValidationStats& stats);
  // A model folder was written (export, or the end of a retraining).
  void modelWritten(const QString& dir);
  // An evaluation's BLEU score, its one-line summary and the record's path.
  void evaluated(double bleu, const QString& summary, const QString& recordPath);
  void translated(const QStringList& lines);
  // How the job ended, in a line, and whether it was stopped.
  void finished(const QString& summary, bool stopped);
  void failed(const QString& error);

 private:
  bool start(std::function<void(const StopToken&)> work);

  BackgroundJob* m_job;
  QString m_summary;  // written by the worker, read once it has ended
  bool m_stopped = false;
};

}  // namespace automoe::widgets
