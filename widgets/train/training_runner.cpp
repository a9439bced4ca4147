#include "train/training_runner.h"

#include <QThread>
#include <exception>

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

TrainingRunner::TrainingRunner(QObject* parent) : QObject(parent) {
  qRegisterMetaType<automoe::TrainStepStats>();
  qRegisterMetaType<automoe::ValidationStats>();
  qRegisterMetaType<automoe::TrainResult>();
}

TrainingRunner::~TrainingRunner() {
  requestStop();
  if (m_thread) {
    m_thread->wait();
    delete m_thread;
  }
}

bool TrainingRunner::start(const Project& project, const TrainingOptions& options, const TrainingJob& job) {
  if (m_thread) return false;
  m_stop.reset();
  m_result = {};
  m_error.clear();
  m_failed = false;
  m_thread = QThread::create([this, project, options, job] {
    SignalObserver observer(this);
    try {
      m_result = runTrainingJob(project, options, job, m_stop, observer);
    } catch (const std::exception& e) {
      m_error = QString::fromUtf8(e.what());
      m_failed = true;
    } catch (...) {
      m_error = tr("training failed with an unknown error");
      m_failed = true;
    }
  });
  m_thread->setObjectName(QStringLiteral("training"));
  // Queued (the worker emits it), so it arrives after the run's other signals.
  connect(m_thread, &QThread::finished, this, &TrainingRunner::threadEnded);
  m_thread->start();
  Q_EMIT started();
  return true;
}

void TrainingRunner::requestStop() { m_stop.requestStop(); }

bool TrainingRunner::wait() {
  if (!m_thread) return false;
  m_thread->wait();
  return true;
}

void TrainingRunner::threadEnded() {
  m_thread->wait();  // QThread::finished comes just before the thread ends
  m_thread->deleteLater();
  m_thread = nullptr;
  if (m_failed)
    Q_EMIT failed(m_error);
  else
    Q_EMIT finished(m_result);
}

}  // namespace automoe::widgets
