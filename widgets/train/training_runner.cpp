#include "train/training_runner.h"

#include "util/background_job.h"

namespace automoe::widgets {

namespace {

// Observer calls, made on the worker thread, become the runner's signals; a receiver on another
// thread (the runner's owner) gets them queued, each with its own copy of the record.
class SignalObserver final : public TrainingObserver {
 public:
  explicit SignalObserver(TrainingRunner* runner) : m_runner(runner) {}
  void onStep(const TrainStepStats& s) override { Q_EMIT m_runner->stepDone(s); }
  void onValidation(const ValidationStats& v) override { Q_EMIT m_runner->validationDone(v); }
  void onCheckpoint(const std::string& path, int64_t step) override {
    Q_EMIT m_runner->checkpointSaved(QString::fromStdString(path), static_cast<qint64>(step));
  }
  void onMessage(const std::string& text) override { Q_EMIT m_runner->message(QString::fromStdString(text)); }

 private:
  TrainingRunner* m_runner;
};

}  // namespace

TrainingRunner::TrainingRunner(QObject* parent) : QObject(parent), m_job(new BackgroundJob(this)) {
  qRegisterMetaType<automoe::TrainStepStats>();
  qRegisterMetaType<automoe::ValidationStats>();
  qRegisterMetaType<automoe::TrainResult>();
  connect(m_job, &BackgroundJob::finished, this, [this] { Q_EMIT finished(m_result); });
  connect(m_job, &BackgroundJob::failed, this, &TrainingRunner::failed);
}

// The worker emits this object's signals: it must end before this object does (the job, a child,
// would only wait for it once this object is half destroyed).
TrainingRunner::~TrainingRunner() {
  m_job->requestStop();
  m_job->wait();
}

bool TrainingRunner::start(const Project& project, const TrainingOptions& options, const TrainingJob& job) {
  const bool started = m_job->start([this, project, options, job](const StopToken& stop) {
    SignalObserver observer(this);
    m_result = runTrainingJob(project, options, job, stop, observer);
  });
  if (started) Q_EMIT this->started();
  return started;
}

void TrainingRunner::requestStop() { m_job->requestStop(); }

bool TrainingRunner::isRunning() const { return m_job->isRunning(); }

}  // namespace automoe::widgets
