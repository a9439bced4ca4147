#include "model/model_runner.h"

#include <cmath>

#include "eval/model_evaluation.h"
#include "eval/model_translator.h"
#include "train/training_runner.h"  // the metatypes of the training records
#include "util/background_job.h"

namespace automoe::widgets {

namespace {

// The retraining's observer calls, made on the worker thread, become the runner's signals.
class SignalObserver final : public TrainingObserver {
 public:
  explicit SignalObserver(ModelRunner* runner) : m_runner(runner) {}
  void onStep(const TrainStepStats& s) override { Q_EMIT m_runner->stepDone(s); }
  void onValidation(const ValidationStats& v) override { Q_EMIT m_runner->validationDone(v); }
  void onCheckpoint(const std::string& path, int64_t step) override {
    Q_EMIT m_runner->message(ModelRunner::tr("checkpoint %1 (update %2)").arg(QString::fromStdString(path)).arg(step));
  }
  void onMessage(const std::string& text) override { Q_EMIT m_runner->message(QString::fromStdString(text)); }

 private:
  ModelRunner* m_runner;
};

}  // namespace

ModelRunner::ModelRunner(QObject* parent) : QObject(parent), m_job(new BackgroundJob(this)) {
  qRegisterMetaType<automoe::TrainStepStats>();
  qRegisterMetaType<automoe::ValidationStats>();
  connect(m_job, &BackgroundJob::finished, this, [this] { Q_EMIT finished(m_summary, m_stopped); });
  connect(m_job, &BackgroundJob::failed, this, &ModelRunner::failed);
}

// The worker emits this object's signals: it must end before this object does.
ModelRunner::~ModelRunner() {
  m_job->requestStop();
  m_job->wait();
}

bool ModelRunner::start(std::function<void(const StopToken&)> work) {
  return m_job->start([this, work = std::move(work)](const StopToken& stop) {
    m_stopped = false;
    m_summary.clear();
    work(stop);
  });
}

bool ModelRunner::startExport(const Project& project, const ArchConfig& arch, const ExportJob& job) {
  return start([this, project, arch, job](const StopToken& stop) {
    const auto log = [this](const std::string& line) { Q_EMIT message(QString::fromStdString(line)); };
    const std::optional<ModelCard> card = runExportJob(project, arch, job, stop, log);
    m_stopped = !card.has_value();
    if (m_stopped) {
      m_summary = tr("export stopped; nothing written");
      return;
    }
    Q_EMIT modelWritten(QString::fromStdString(job.outDir));
    m_summary = tr("exported %1 with the supernet's weights to %2")
                    .arg(QString::fromStdString(arch.summary()), QString::fromStdString(job.outDir));
  });
}

bool ModelRunner::startRetrain(const Project& project, const ArchConfig& arch, const RetrainJob& job) {
  return start([this, project, arch, job](const StopToken& stop) {
    SignalObserver observer(this);
    const RetrainJobResult r = runRetrainJob(project, arch, job, stop, observer);
    m_stopped = r.train.status == TrainStatus::Stopped;
    QString summary = QString::fromStdString(r.train.message);
    if (!r.averagedCheckpoint.empty())
      summary += tr("; %1 checkpoints averaged: valid loss %2, nll %3 (perplexity %4)")
                     .arg(r.averagedFrom)
                     .arg(r.validLoss, 0, 'f', 4)
                     .arg(r.validNll, 0, 'f', 4)
                     .arg(std::exp(r.validNll), 0, 'f', 2);
    if (!r.modelDir.empty()) {
      Q_EMIT modelWritten(QString::fromStdString(r.modelDir));
      summary += tr("; model folder %1").arg(QString::fromStdString(r.modelDir));
    } else if (!r.noModel.empty()) {
      summary += QStringLiteral("; ") + QString::fromStdString(r.noModel);
    }
    m_summary = summary;
  });
}

bool ModelRunner::startEvaluation(const Project& project, const QString& modelDir, const EvaluationOptions& options) {
  return start([this, project, dir = modelDir.toStdString(), options](const StopToken& stop) {
    const auto log = [this](const std::string& line) { Q_EMIT message(QString::fromStdString(line)); };
    const std::optional<ModelEvaluation> e = evaluateModelFolder(project, dir, options, stop, log);
    m_stopped = !e.has_value();
    if (m_stopped) {
      m_summary = tr("evaluation stopped");
      return;
    }
    const EvaluationResult& r = e->result;
    m_summary = tr("%1 on %2 (%3 sentences): loss %4, nll %5, %6")
                    .arg(QString::fromStdString(dir), QString::fromStdString(r.split))
                    .arg(r.sentences)
                    .arg(r.loss, 0, 'f', 4)
                    .arg(r.nll, 0, 'f', 4)
                    .arg(QString::fromStdString(r.bleu.format()));
    Q_EMIT evaluated(r.bleu.score, m_summary, QString::fromStdString(e->recordPath));
  });
}

bool ModelRunner::startTranslation(const QString& modelDir, const QStringList& lines, const TranslatorOptions& options) {
  return start([this, dir = modelDir.toStdString(), lines, options](const StopToken& stop) {
    std::vector<std::string> in;
    for (const QString& l : lines) in.push_back(l.toStdString());
    const ModelTranslator translator(dir, options);
    const std::optional<std::vector<std::string>> out = translator.translate(in, stop);
    m_stopped = !out.has_value();
    if (m_stopped) {
      m_summary = tr("translation stopped");
      return;
    }
    QStringList result;
    for (const auto& l : *out) result << QString::fromStdString(l);
    Q_EMIT translated(result);
    m_summary = tr("translated %1 line(s) with %2").arg(result.size()).arg(QString::fromStdString(dir));
  });
}

void ModelRunner::requestStop() { m_job->requestStop(); }

bool ModelRunner::isRunning() const { return m_job->isRunning(); }

}  // namespace automoe::widgets
