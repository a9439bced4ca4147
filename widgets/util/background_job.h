#pragma once
// One long core job at a time on a worker thread, stoppable: the job gets a stop token, and any
// exception it throws ends at the thread's edge as failed(). ended()/failed() arrive on the
// owner's thread (the GUI's) after every signal the job emitted on the way. Destroying a running
// job asks it to stop and waits for it.
#include <QObject>
#include <QString>
#include <functional>

#include "util/stop_token.h"

class QThread;

namespace automoe::widgets {

class BackgroundJob : public QObject {
  Q_OBJECT

 public:
  explicit BackgroundJob(QObject* parent = nullptr);
  ~BackgroundJob() override;

  // Starts `work` on a new thread; false (nothing started) while a job is still running.
  bool start(std::function<void(const StopToken&)> work);
  // Asks the job to stop at its next check.
  void requestStop();
  // From start() until finished() or failed() has been delivered.
  bool isRunning() const { return m_thread != nullptr; }
  // Blocks until the worker thread has ended; true if there was one. finished() or failed() still
  // comes through the event loop. For shutdown.
  bool wait();

 Q_SIGNALS:
  void finished();
  void failed(const QString& error);

 private:
  void threadEnded();

  QThread* m_thread = nullptr;
  StopToken m_stop;
  QString m_error;  // written by the worker, read once it has ended
  bool m_failed = false;
};

}  // namespace automoe::widgets
