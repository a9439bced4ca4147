#include "util/background_job.h"

#include <QThread>
#include <exception>
#include <utility>

namespace automoe::widgets {

BackgroundJob::BackgroundJob(QObject* parent) : QObject(parent) {}

BackgroundJob::~BackgroundJob() {
  requestStop();
  if (m_thread) {
    m_thread->wait();
    delete m_thread;
  }
}

bool BackgroundJob::start(std::function<void(const StopToken&)> work) {
  if (m_thread) return false;
  m_stop.reset();
  m_error.clear();
  m_failed = false;
  m_thread = QThread::create([this, work = std::move(work)] {
    try {
      work(m_stop);
    } catch (const std::exception& e) {
      m_error = QString::fromUtf8(e.what());
      m_failed = true;
    } catch (...) {
      m_error = tr("the job failed with an unknown error");
      m_failed = true;
    }
  });
  m_thread->setObjectName(QStringLiteral("job"));
  // Queued (the worker emits it), so it arrives after the job's own signals.
  connect(m_thread, &QThread::finished, this, &BackgroundJob::threadEnded);
  m_thread->start();
  return true;
}

void BackgroundJob::requestStop() { m_stop.requestStop(); }

bool BackgroundJob::wait() {
  if (!m_thread) return false;
  m_thread->wait();
  return true;
}

void BackgroundJob::threadEnded() {
  m_thread->wait();  // QThread::finished comes just before the thread ends
  m_thread->deleteLater();
  m_thread = nullptr;
  if (m_failed)
    Q_EMIT failed(m_error);
  else
    Q_EMIT finished();
}

}  // namespace automoe::widgets
