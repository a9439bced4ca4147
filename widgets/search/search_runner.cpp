#include "search/search_runner.h"

#include "util/background_job.h"

namespace automoe::widgets {

namespace {

class SignalObserver final : public SearchObserver {
 public:
  SignalObserver(SearchRunner* runner, int generations) : m_runner(runner), m_generations(generations) {}
  void onCandidate(const SearchCandidate& c, bool fromHistory) override {
    Q_EMIT m_runner->candidateEvaluated(c.id, c.fitness, fromHistory);
  }
  void onGeneration(const GenerationReport& g, const SearchCandidate&) override {
    QString line = SearchRunner::tr("generation %1/%2%3 · best #%4 loss %5 · %6 evaluated (%7 new, %8 cached)")
                       .arg(g.generation + 1)
                       .arg(m_generations)
                       .arg(g.replayed ? SearchRunner::tr(" (from history)") : QString())
                       .arg(g.bestId)
                       .arg(g.bestFitness, 0, 'f', 4)
                       .arg(g.evaluatedTotal)
                       .arg(g.evaluatedNow)
                       .arg(g.reusedNow);
    if (g.multiObjective) line += SearchRunner::tr(" · front %1").arg(g.front.size());
    Q_EMIT m_runner->generationDone(g.generation, line);
  }
  void onMessage(const std::string& text) override { Q_EMIT m_runner->message(QString::fromStdString(text)); }

 private:
  SearchRunner* m_runner;
  int m_generations;
};

}  // namespace

SearchRunner::SearchRunner(QObject* parent) : QObject(parent), m_job(new BackgroundJob(this)) {
  connect(m_job, &BackgroundJob::finished, this, [this] { Q_EMIT finished(m_summary, m_stopped); });
  connect(m_job, &BackgroundJob::failed, this, &SearchRunner::failed);
}

// The worker emits this object's signals: it must end before this object does.
SearchRunner::~SearchRunner() {
  m_job->requestStop();
  m_job->wait();
}

bool SearchRunner::start(const Project& project, const SearchJob& job) {
  return m_job->start([this, project, job](const StopToken& stop) {
    SignalObserver observer(this, searchOptionsFor(project, job).generations);
    const SearchJobResult r = runSearchJob(project, job, stop, observer);
    m_stopped = r.search.status == SearchResult::Status::Stopped;
    m_summary = m_stopped ? tr("stopped; %1 keeps every evaluated candidate, and the next search resumes")
                                .arg(QString::fromStdString(r.historyPath))
                          : tr("best candidate #%1, loss %2, after %3 candidates (%4 evaluated now) in %5 s; %6")
                                .arg(r.search.best.id)
                                .arg(r.search.best.fitness, 0, 'f', 4)
                                .arg(r.search.candidates)
                                .arg(r.search.evaluations)
                                .arg(r.search.seconds, 0, 'f', 1)
                                .arg(QString::fromStdString(r.resultPath));
  });
}

void SearchRunner::requestStop() { m_job->requestStop(); }

bool SearchRunner::isRunning() const { return m_job->isRunning(); }

}  // namespace automoe::widgets
