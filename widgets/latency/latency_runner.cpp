#include "latency/latency_runner.h"

#include "arch/arch_stats.h"
#include "latency/hardware_profile.h"
#include "latency/latency_sample.h"
#include "util/background_job.h"

namespace automoe::widgets {

LatencyRunner::LatencyRunner(QObject* parent) : QObject(parent), m_job(new BackgroundJob(this)) {
  connect(m_job, &BackgroundJob::finished, this, [this] {
    m_fit = std::move(m_pendingFit);
    m_pendingFit.reset();
    Q_EMIT finished(m_summary, m_stopped);
  });
  connect(m_job, &BackgroundJob::failed, this, [this](const QString& error) {
    m_pendingFit.reset();
    Q_EMIT failed(error);
  });
}

// The worker emits this object's signals: it must end before this object does.
LatencyRunner::~LatencyRunner() {
  m_job->requestStop();
  m_job->wait();
}

bool LatencyRunner::startDataset(const Project& project, const LatencyDatasetJob& job) {
  return m_job->start([this, project, job](const StopToken& stop) {
    const HardwareProfile& h = findHardwareProfile(project.hardwareProfiles, job.profile, project.path);
    auto progress = [&](const LatencySample& s, int stored, int planned) {
      const ArchStats st = computeArchStats(s.arch, project.space.qkvDim, project.model.vocabSize, h.srcLen, h.tgtLen);
      Q_EMIT sampleMeasured(stored, planned, s.measurement.meanMs(), st.flops, s.index,
                            QString::fromStdString(s.arch.summary()));
    };
    const LatencyDatasetJobResult r = runLatencyDatasetJob(
        project, job, stop, progress, [this](const std::string& line) { Q_EMIT message(QString::fromStdString(line)); });
    m_stopped = r.run.stopped;
    m_summary = (m_stopped ? tr("stopped with %1 of %2 samples stored; every measured one is kept, and the next "
                                "start resumes")
                           : tr("%1 of %2 samples stored (%3 measured now)"))
                    .arg(r.stored)
                    .arg(r.target)
                    .arg(r.run.measured);
  });
}

bool LatencyRunner::startPredictor(const Project& project, const LatencyPredictorJob& job) {
  return m_job->start([this, project, job](const StopToken&) {
    LatencyFit fit = runLatencyPredictorJob(project, job,
                                            [this](const std::string& line) { Q_EMIT message(QString::fromStdString(line)); });
    m_stopped = false;
    m_summary = fit.report.test.count > 0
                    ? tr("predictor trained in %1 s: held out (%2) Kendall tau %3, MAPE %4 %, RMSE %5 ms")
                          .arg(fit.report.seconds, 0, 'f', 1)
                          .arg(fit.report.test.count)
                          .arg(fit.report.test.kendallTau, 0, 'f', 3)
                          .arg(100 * fit.report.test.mape, 0, 'f', 2)
                          .arg(fit.report.test.rmseMs, 0, 'f', 2)
                    : tr("predictor trained in %1 s on all %2 samples (none held out): Kendall tau %3, MAPE %4 %")
                          .arg(fit.report.seconds, 0, 'f', 1)
                          .arg(fit.report.train.count)
                          .arg(fit.report.train.kendallTau, 0, 'f', 3)
                          .arg(100 * fit.report.train.mape, 0, 'f', 2);
    m_pendingFit = std::move(fit);
  });
}

void LatencyRunner::requestStop() { m_job->requestStop(); }

bool LatencyRunner::isRunning() const { return m_job->isRunning(); }

}  // namespace automoe::widgets
