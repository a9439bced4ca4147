#include "pipeline/pipeline_runner.h"

#include "latency/latency_sample.h"
#include "search/search_job.h"
#include "train/retrain_job.h"
#include "util/background_job.h"

namespace automoe::widgets {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// Observer calls, made on the worker thread, become the runner's signals; a receiver on the
// runner's thread gets them queued, each with its own copy of the record.
class SignalObserver final : public PipelineObserver {
 public:
  SignalObserver(PipelineRunner* runner, const Project& project)
      : m_runner(runner),
        m_generations(searchOptionsFor(project, SearchJob{}).generations),
        m_supernetUpdates(project.training.maxUpdates),
        m_retrainUpdates(retrainOptionsFor(project, RetrainJob{}).maxUpdates) {}

  void onStageUpToDate(const PipelineStageEvent& s) override {
    Q_EMIT m_runner->stageUpToDate(index(s), count(s), qs(s.name), qs(s.title));
  }
  void onStageStarted(const PipelineStageEvent& s, const std::string& why) override {
    m_stage = s.name;
    Q_EMIT m_runner->stageStarted(index(s), count(s), qs(s.name), qs(s.title), qs(why));
  }
  void onStageDone(const PipelineStageEvent& s, double seconds) override {
    Q_EMIT m_runner->stageDone(index(s), count(s), qs(s.name), seconds);
  }
  void onLatencySample(const LatencySample& sample, int stored, int planned) override {
    Q_EMIT m_runner->latencySampleMeasured(stored, planned, sample.measurement.meanMs());
  }
  void onMessage(const std::string& text) override { Q_EMIT m_runner->message(qs(text)); }

  void onStep(const TrainStepStats& s) override {
    const int64_t planned = m_stage == "retrain" ? m_retrainUpdates : m_supernetUpdates;
    Q_EMIT m_runner->stepDone(s, static_cast<qint64>(planned));
  }
  void onValidation(const ValidationStats& v) override { Q_EMIT m_runner->validationDone(v); }
  void onCheckpoint(const std::string& path, int64_t step) override {
    Q_EMIT m_runner->checkpointSaved(qs(path), static_cast<qint64>(step));
  }

  void onCandidate(const SearchCandidate& c, bool fromHistory) override {
    Q_EMIT m_runner->candidateEvaluated(c.id, c.fitness, fromHistory);
  }
  void onGeneration(const GenerationReport& g, const SearchCandidate&) override {
    const QString line = PipelineRunner::tr("generation %1/%2%3 · best #%4 loss %5 · %6 evaluated (%7 new)")
                             .arg(g.generation + 1)
                             .arg(m_generations)
                             .arg(g.replayed ? PipelineRunner::tr(" (from history)") : QString())
                             .arg(g.bestId)
                             .arg(g.bestFitness, 0, 'f', 4)
                             .arg(g.evaluatedTotal)
                             .arg(g.evaluatedNow);
    Q_EMIT m_runner->generationDone(g.generation, m_generations, line);
  }

 private:
  static int index(const PipelineStageEvent& s) { return static_cast<int>(s.index); }
  static int count(const PipelineStageEvent& s) { return static_cast<int>(s.count); }

  PipelineRunner* m_runner;
  int m_generations;
  int64_t m_supernetUpdates, m_retrainUpdates;  // the updates each training stage ends at
  std::string m_stage;  // the stage running now
};

}  // namespace

PipelineRunner::PipelineRunner(QObject* parent) : QObject(parent), m_job(new BackgroundJob(this)) {
  qRegisterMetaType<automoe::TrainStepStats>();
  qRegisterMetaType<automoe::ValidationStats>();
  qRegisterMetaType<automoe::PipelineResult>();
  connect(m_job, &BackgroundJob::finished, this, [this] { Q_EMIT finished(m_result); });
  connect(m_job, &BackgroundJob::failed, this, &PipelineRunner::failed);
}

// The worker emits this object's signals: it must end before this object does.
PipelineRunner::~PipelineRunner() {
  m_job->requestStop();
  m_job->wait();
}

bool PipelineRunner::start(const Project& project) {
  return startWork([project] { return project; });
}

bool PipelineRunner::start(const QString& path, bool trial) {
  return startWork([file = path.toStdString(), trial] {
    return Project::load(trial ? writeTrialProject(Project::fileAt(file)) : file);
  });
}

bool PipelineRunner::startWork(std::function<Project()> load) {
  const bool started = m_job->start([this, load = std::move(load)](const StopToken& stop) {
    const Project project = load();
    SignalObserver observer(this, project);
    m_result = runPipelineJob(project, stop, observer);
  });
  if (started) Q_EMIT this->started();
  return started;
}

void PipelineRunner::requestStop() { m_job->requestStop(); }

bool PipelineRunner::isRunning() const { return m_job->isRunning(); }

}  // namespace automoe::widgets
