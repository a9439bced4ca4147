#pragma once
// Runs core's latency jobs on a worker thread (BackgroundJob): measuring the latency dataset of a
// hardware profile (runLatencyDatasetJob; a stop ends it after the subnet being measured, every
// measured one kept, and the next start resumes) and fitting the latency predictor
// (runLatencyPredictorJob). Their progress arrives as Qt signals on the owner's thread. One job
// at a time; destroying the runner stops its job and waits.
#include <QObject>
#include <QString>
#include <optional>

#include "latency/latency_job.h"
#include "project/project.h"

namespace automoe::widgets {

class BackgroundJob;

class LatencyRunner : public QObject {
  Q_OBJECT

 public:
  explicit LatencyRunner(QObject* parent = nullptr);
  ~LatencyRunner() override;

  // false (nothing started) while a job is still running.
  bool startDataset(const Project& project, const LatencyDatasetJob& job);
  bool startPredictor(const Project& project, const LatencyPredictorJob& job);
  void requestStop();
  bool isRunning() const;
  // The last predictor job's fit, once its finished() has arrived (none before, or if it failed).
  const std::optional<LatencyFit>& fit() const { return m_fit; }

 Q_SIGNALS:
  // One measured subnet: plan entries stored so far and planned, its latency, its FLOPs per
  // sentence under the profile's lengths, its plan index and ArchConfig::summary().
  void sampleMeasured(int stored, int planned, double ms, double flops, int index, const QString& summary);
  void message(const QString& text);
  // How it ended, in a line, and whether it was stopped.
  void finished(const QString& summary, bool stopped);
  void failed(const QString& error);

 private:
  BackgroundJob* m_job;
  QString m_summary;  // written by the worker, read once it has ended
  bool m_stopped = false;
  std::optional<LatencyFit> m_fit;
  std::optional<LatencyFit> m_pendingFit;  // the worker's, handed over when it has ended
};

}  // namespace automoe::widgets
