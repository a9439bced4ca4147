#include "train/training_panel.h"

#include <QComboBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTime>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>

#include <nlohmann/json.hpp>

#include "data/data_job.h"
#include "plot/training_curves_plot.h"
#include "train/expert_load_view.h"
#include "train/metrics_history.h"
#include "train/training_job.h"
#include "train/training_runner.h"
#include "util/background_job.h"
#include "util/job_controls.h"

namespace automoe::widgets {

TrainingPanel::TrainingPanel(Project project, QWidget* parent)
    : QWidget(parent),
      m_project(std::move(project)),
      m_runner(new TrainingRunner(this)),
      m_curves(new TrainingCurvesPlot(this)),
      m_load(new ExpertLoadView(this)),
      m_controls(new JobControls(
          QStringLiteral("train"),
          {tr("Train"), tr("Train the supernet (resumes the run folder's checkpoint unless \"Start over\" is ticked)"),
           tr("Stop after the current update and save a checkpoint"),
           tr("Replace the run folder's checkpoint and metrics with a new run"),
           tr("Train on a synthetic corpus sized to the project's vocabulary instead of the prepared one "
              "(automoe data all PROJECT prepares it)")},
          this)),
      m_updates(new QSpinBox(this)),
      m_precision(new QComboBox(this)),
      m_threads(new QSpinBox(this)),
      m_prepare(new QPushButton(tr("Prepare corpus"), this)),
      m_dataJob(new BackgroundJob(this)) {
  setObjectName(QStringLiteral("trainingPanel"));
  buildRunOptions();
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(m_controls);
  auto* split = new QSplitter(Qt::Horizontal, this);
  split->setObjectName(QStringLiteral("trainSplit"));
  split->addWidget(m_curves);
  split->addWidget(m_load);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 1);
  split->setChildrenCollapsible(false);
  layout->addWidget(split, 1);
  layout->addWidget(m_controls->logView());

  connectJobs();
  m_controls->setStatus(tr("Not training. Run folder: %1").arg(runDir()));
  loadHistory();
}

// The run's choices in the controls' row: updates, precision, threads, and Prepare corpus.
void TrainingPanel::buildRunOptions() {
  m_updates->setObjectName(QStringLiteral("trainUpdates"));
  m_updates->setRange(1, std::numeric_limits<int>::max());
  m_updates->setValue(static_cast<int>(std::min<int64_t>(m_project.training.maxUpdates, std::numeric_limits<int>::max())));
  m_updates->setToolTip(tr("Updates the run ends at (counted from its start, resumed updates included)"));
  m_precision->setObjectName(QStringLiteral("trainPrecision"));
  m_precision->addItem(QStringLiteral("fp32"), QStringLiteral("fp32"));
  m_precision->addItem(tr("bf16 (fp32 master weights)"), QStringLiteral("bf16"));
  m_precision->setCurrentIndex(std::max(0, m_precision->findData(QString::fromStdString(m_project.training.precision))));
  m_precision->setToolTip(tr("Arithmetic of the products; bf16 keeps fp32 master weights (the project's "
                             "training.precision by default)"));
  m_threads->setObjectName(QStringLiteral("trainThreads"));
  m_threads->setRange(0, 1024);
  m_threads->setSpecialValueText(tr("auto"));
  m_threads->setValue(std::clamp(m_project.training.threads, 0, 1024));
  m_threads->setToolTip(tr("Intra-op threads (auto: LibTorch's default)"));
  m_controls->addToRow(new QLabel(tr("updates"), this));
  m_controls->addToRow(m_updates);
  m_controls->addToRow(new QLabel(tr("precision"), this));
  m_controls->addToRow(m_precision);
  m_controls->addToRow(new QLabel(tr("threads"), this));
  m_controls->addToRow(m_threads);
  m_prepare->setObjectName(QStringLiteral("trainPrepare"));
  m_prepare->setToolTip(tr("Build the project's corpus and tokenise it, as automoe data all does (downloads the "
                           "sources once; nothing is redone while they are up to date)"));
  m_controls->addToRow(m_prepare);
}

void TrainingPanel::connectJobs() {
  connect(m_controls, &JobControls::startClicked, this, &TrainingPanel::start);
  connect(m_controls, &JobControls::stopClicked, this, &TrainingPanel::stop);
  connect(m_prepare, &QPushButton::clicked, this, &TrainingPanel::prepareCorpus);
  connect(m_dataJob, &BackgroundJob::finished, this, [this] {
    setRunning(false);
    m_controls->setStatus(m_dataSummary);
    log(m_dataSummary);
    Q_EMIT runEnded();
  });
  connect(m_dataJob, &BackgroundJob::failed, this, [this](const QString& error) {
    setRunning(false);
    m_controls->setStatus(tr("Preparing the corpus failed: %1").arg(error));
    log(tr("error: %1").arg(error));
    Q_EMIT runEnded();
  });
  connect(m_runner, &TrainingRunner::stepDone, this, &TrainingPanel::showStep);
  connect(m_runner, &TrainingRunner::validationDone, this, &TrainingPanel::showValidation);
  connect(m_runner, &TrainingRunner::checkpointSaved, this, [this](const QString& path, qint64 step) {
    log(tr("checkpoint %1 (update %2)").arg(path).arg(step));
  });
  connect(m_runner, &TrainingRunner::message, this, &TrainingPanel::log);
  connect(m_runner, &TrainingRunner::finished, this, &TrainingPanel::runFinished);
  connect(m_runner, &TrainingRunner::failed, this, &TrainingPanel::runFailed);
}

// The data job's worker posts log lines to this object: it must end before this object does.
TrainingPanel::~TrainingPanel() {
  m_dataJob->requestStop();
  m_dataJob->wait();
}

bool TrainingPanel::isRunning() const { return m_runner->isRunning() || m_dataJob->isRunning(); }
bool TrainingPanel::isPreparingCorpus() const { return m_dataJob->isRunning(); }

void TrainingPanel::prepareCorpus() {
  if (isRunning() || !m_controls->blocked().isEmpty()) return;
  const bool started = m_dataJob->start([this, project = m_project](const StopToken& stop) {
    const DataJobResult r = runDataJob(project, /*refresh=*/false, /*force=*/false, stop, [this](const std::string& line) {
      QMetaObject::invokeMethod(this, [this, text = QString::fromStdString(line)] { log(text); }, Qt::QueuedConnection);
    });
    const nlohmann::json& meta = r.prepared.meta;
    QStringList splits;
    for (const char* split : {"train", "valid", "test"})
      splits << QStringLiteral("%1 %2").arg(QLatin1String(split)).arg(meta.at("splits").at(split).at("sentences").get<qint64>());
    m_dataSummary = tr("Corpus ready: %1, %2 sentences, vocabulary %3%4")
                        .arg(QString::fromStdString(meta.at("pair").get<std::string>()), splits.join(QStringLiteral(" / ")))
                        .arg(meta.at("vocab_size").get<qint64>())
                        .arg(r.corpus.upToDate && r.prepared.upToDate ? tr(" (already up to date)") : QString());
  });
  if (!started) return;
  setRunning(true);
  m_controls->setStatus(tr("Preparing the corpus: sources, alignment, tokenizer, shards…"));
  log(tr("%1 preparing the corpus in %2")
          .arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")),
               QString::fromStdString(m_project.resolvePath(m_project.data.dir))));
}

QString TrainingPanel::runDir() const {
  return QString::fromStdString(trainingRunDir(m_project, m_project.training, TrainingJob{}));
}

QString TrainingPanel::statusText() const { return m_controls->status(); }
QString TrainingPanel::logText() const { return m_controls->logText(); }
QPushButton* TrainingPanel::startButton() const { return m_controls->startButton(); }
QPushButton* TrainingPanel::stopButton() const { return m_controls->stopButton(); }
QCheckBox* TrainingPanel::freshBox() const { return m_controls->freshBox(); }
QCheckBox* TrainingPanel::syntheticBox() const { return m_controls->syntheticBox(); }

void TrainingPanel::loadHistory() {
  m_curves->clear();
  m_load->clear();
  const MetricsHistory h = readMetricsHistory((runDir() + QStringLiteral("/metrics.jsonl")).toStdString());
  for (const auto& s : h.steps) m_curves->addTrainingLoss(s.step, s.loss);
  if (!h.steps.empty()) showLoad(h.steps.back());
  for (const auto& v : h.validations)
    for (const auto& e : v.subnets) m_curves->addValidationLoss(v.step, QString::fromStdString(e.name), e.loss);
  if (!h.steps.empty() || !h.validations.empty())
    log(tr("run history: %1 logged updates, %2 validations%3")
            .arg(h.steps.size())
            .arg(h.validations.size())
            .arg(h.skippedLines > 0 ? tr(" (%1 unreadable lines skipped)").arg(h.skippedLines) : QString()));
}

void TrainingPanel::start() {
  if (isRunning() || !m_controls->blocked().isEmpty()) return;
  TrainingOptions options = m_project.training;
  options.maxUpdates = m_updates->value();
  options.lr.totalUpdates = options.maxUpdates;
  options.precision = m_precision->currentData().toString().toStdString();
  options.threads = m_threads->value();
  TrainingJob job;
  job.fresh = m_controls->fresh();
  job.synthetic = m_controls->synthetic();
  job.freshHint = tr("tick \"Start over\" to replace it").toStdString();
  if (job.fresh) {
    m_curves->clear();
    m_load->clear();
  }
  if (!m_runner->start(m_project, options, job)) return;
  m_controls->clearFresh();  // a second start resumes this run
  setRunning(true);
  m_controls->setStatus(tr("Starting: loading the corpus and building the supernet…"));
  log(tr("%1 training to update %2 in %3").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")))
          .arg(options.maxUpdates)
          .arg(runDir()));
}

void TrainingPanel::stop() {
  if (!isRunning()) return;
  if (m_dataJob->isRunning()) {
    m_dataJob->requestStop();
    m_controls->stopping();
    m_controls->setStatus(tr("Stopping the corpus preparation…"));
    return;
  }
  m_runner->requestStop();
  m_controls->stopping();
  m_controls->setStatus(tr("Stopping after this update (a checkpoint is saved)…"));
}

void TrainingPanel::showLoad(const TrainStepStats& s) {
  m_load->setLoad(s.step, s.expertLoad, s.expertLoadEncoderRows, QString::fromStdString(s.arch));
}

void TrainingPanel::showStep(const TrainStepStats& s) {
  m_curves->addTrainingLoss(s.step, s.loss);
  showLoad(s);
  QString text = tr("update %1/%2 · loss %3 · nll %4 · %5 tgt tok/s · lr %6")
                     .arg(s.step)
                     .arg(m_updates->value())
                     .arg(s.loss, 0, 'f', 3)
                     .arg(s.nll, 0, 'f', 3)
                     .arg(s.targetTokensPerSecond, 0, 'f', 0)
                     .arg(s.lr, 0, 'e', 2);
  if (s.auxLoss != 0) text += tr(" · aux %1").arg(s.auxLoss, 0, 'f', 4);
  // The busiest expert against an even split, over the routed layers.
  double busiest = 0;
  const std::vector<double> imbalance = m_load->imbalance();
  for (size_t i = 0; i < imbalance.size(); ++i)
    if (s.expertLoad[i].size() > 1) busiest = std::max(busiest, imbalance[i]);
  if (busiest > 0) text += tr(" · busiest expert %1× an even share").arg(busiest, 0, 'f', 2);
  if (s.droppedTokens > 0) text += tr(" · %1 tokens dropped").arg(s.droppedTokens);
  if (s.skippedSteps > 0) text += tr(" · %1 updates skipped (non-finite)").arg(s.skippedSteps);
  m_controls->setStatus(text);
}

void TrainingPanel::showValidation(const ValidationStats& v) {
  QStringList parts;
  for (const auto& e : v.subnets) {
    m_curves->addValidationLoss(v.step, QString::fromStdString(e.name), e.loss);
    parts << QStringLiteral("%1 %2").arg(QString::fromStdString(e.name)).arg(e.loss, 0, 'f', 3);
  }
  log(tr("valid @%1: %2").arg(v.step).arg(parts.join(QStringLiteral("  "))));
}

void TrainingPanel::runFinished(const TrainResult& r) {
  setRunning(false);
  m_controls->setStatus(QString::fromStdString(r.message));
  log(QString::fromStdString(r.message));
  Q_EMIT runEnded();
}

void TrainingPanel::runFailed(const QString& error) {
  setRunning(false);
  m_controls->setStatus(tr("Training failed: %1").arg(error));
  log(tr("error: %1").arg(error));
  Q_EMIT runEnded();
}

void TrainingPanel::log(const QString& line) { m_controls->log(line); }

void TrainingPanel::setRunning(bool running) {
  m_running = running;
  m_controls->setRunning(running);
  for (QWidget* w : {static_cast<QWidget*>(m_updates), static_cast<QWidget*>(m_precision),
                     static_cast<QWidget*>(m_threads)})
    w->setEnabled(!running);
  m_prepare->setEnabled(!running && m_controls->blocked().isEmpty());
  if (running) Q_EMIT runStarted();
}

void TrainingPanel::setBlocked(const QString& reason) {
  m_controls->setBlocked(reason);
  m_prepare->setEnabled(!m_running && reason.isEmpty());
}

}  // namespace automoe::widgets
