#pragma once
// Runs core's search job (runSearchJob) on a worker thread (BackgroundJob) and turns its observer
// calls into Qt signals on the owner's thread. One search at a time; a stop request ends it after
// the candidate being evaluated, every evaluated one kept in the history (a new start resumes).
// Destroying the runner stops its search and waits.
#include <QObject>
#include <QString>

#include "project/project.h"
#include "search/search_job.h"

namespace automoe::widgets {

class BackgroundJob;

class SearchRunner : public QObject {
  Q_OBJECT

 public:
  explicit SearchRunner(QObject* parent = nullptr);
  ~SearchRunner() override;

  // Starts the search; false (nothing started) while one is still running.
  bool start(const Project& project, const SearchJob& job);
  void requestStop();
  bool isRunning() const;

 Q_SIGNALS:
  void candidateEvaluated(int id, double fitness, bool fromHistory);
  // One line per generation: "generation 2/5 · best #17 loss 6.2120 · 40 evaluated (12 new)".
  void generationDone(int generation, const QString& summary);
  void message(const QString& text);
  // How it ended, in a line ("best candidate #17 …" or "stopped; … resumes"), and whether stopped.
  void finished(const QString& summary, bool stopped);
  void failed(const QString& error);

 private:
  BackgroundJob* m_job;
  QString m_summary;  // written by the worker, read once it has ended
  bool m_stopped = false;
};

}  // namespace automoe::widgets
