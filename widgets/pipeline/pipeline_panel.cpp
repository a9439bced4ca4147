#include "pipeline/pipeline_panel.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTime>
#include <QVBoxLayout>
#include <exception>

#include "pipeline/pipeline_runner.h"
#include "pipeline/pipeline_stage_table.h"
#include "pipeline/trial_project.h"

namespace automoe::widgets {

PipelinePanel::PipelinePanel(Project project, QWidget* parent)
    : QWidget(parent),
      m_project(std::move(project)),
      m_runner(new PipelineRunner(this)),
      m_table(new PipelineStageTable(this)),
      m_run(new QPushButton(tr("Run pipeline"), this)),
      m_stop(new QPushButton(tr("Stop"), this)),
      m_trial(new QCheckBox(tr("Trial run"), this)),
      m_progress(new QLabel(this)),
      m_status(new QLabel(this)),
      m_log(new QPlainTextEdit(this)),
      m_runTip(tr("Run every stage that is not up to date, in order, as automoe run does (an interrupted stage "
                  "resumes, one whose inputs changed starts over)")) {
  setObjectName(QStringLiteral("pipelinePanel"));
  m_log->setObjectName(QStringLiteral("pipelineLog"));
  m_log->setReadOnly(true);
  m_log->setMaximumBlockCount(kLogLines);
  auto* split = new QSplitter(Qt::Vertical, this);
  split->setObjectName(QStringLiteral("pipelineSplit"));
  split->addWidget(m_table);
  split->addWidget(m_log);
  split->setStretchFactor(0, 0);  // the table as tall as its rows, the log the rest
  split->setStretchFactor(1, 1);
  split->setChildrenCollapsible(false);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(buildControls());
  layout->addWidget(m_progress);
  layout->addWidget(m_status);
  layout->addWidget(split, 1);
  connectRunner();
  setRunning(false);
  refresh();
}

// The row of buttons; the progress and status lines.
QWidget* PipelinePanel::buildControls() {
  m_run->setObjectName(QStringLiteral("runPipelineButton"));
  m_stop->setObjectName(QStringLiteral("stopPipelineButton"));
  m_stop->setToolTip(tr("Stop the running stage the way its own job stops (training after the current update with a "
                        "checkpoint, the search and latency keeping every evaluated subnet); the next run resumes it"));
  m_trial->setObjectName(QStringLiteral("trialRunCheck"));
  m_trial->setToolTip(m_project.path.empty()
                          ? tr("A trial run needs the project's file")
                          : tr("Run the trial project instead (every stage shrunk, outputs under runs/trial; the corpus "
                               "and tokenizer are shared), as automoe run --trial does"));
  m_progress->setObjectName(QStringLiteral("pipelineProgress"));
  m_progress->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_status->setObjectName(QStringLiteral("pipelineStatus"));
  m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_status->setWordWrap(true);
  auto* row = new QWidget(this);
  auto* h = new QHBoxLayout(row);
  h->setContentsMargins(0, 0, 0, 0);
  h->addWidget(m_run);
  h->addWidget(m_stop);
  h->addWidget(m_trial);
  h->addStretch(1);
  connect(m_run, &QPushButton::clicked, this, &PipelinePanel::run);
  connect(m_stop, &QPushButton::clicked, this, &PipelinePanel::stop);
  connect(m_trial, &QCheckBox::toggled, this, &PipelinePanel::refresh);
  return row;
}

void PipelinePanel::connectRunner() {
  auto stageLine = [](int index, int count, const QString& name) {
    return QStringLiteral("[%1/%2] %3").arg(index + 1).arg(count).arg(name);
  };
  connect(m_runner, &PipelineRunner::stageUpToDate, this,
          [this, stageLine](int index, int count, const QString& name, const QString& title) {
            m_table->markUpToDate(m_table->rowOf(name));
            log(tr("%1: %2 - up to date").arg(stageLine(index, count, name), title));
          });
  connect(m_runner, &PipelineRunner::stageStarted, this, &PipelinePanel::stageStarted);
  connect(m_runner, &PipelineRunner::stageDone, this, &PipelinePanel::stageDone);
  connect(m_runner, &PipelineRunner::message, this, &PipelinePanel::log);
  connect(m_runner, &PipelineRunner::stepDone, this, [this](const TrainStepStats& s, qint64 planned) {
    setProgress(tr("update %1/%2, loss %3").arg(s.step).arg(planned).arg(s.loss, 0, 'f', 2));
  });
  connect(m_runner, &PipelineRunner::validationDone, this, [this](const ValidationStats& v) {
    QStringList losses;
    for (const ValidationEntry& e : v.subnets)
      losses << QStringLiteral("%1 %2").arg(QString::fromStdString(e.name)).arg(e.loss, 0, 'f', 3);
    log(tr("validation at update %1: %2").arg(v.step).arg(losses.join(QStringLiteral(", "))));
  });
  connect(m_runner, &PipelineRunner::checkpointSaved, this,
          [this](const QString& path, qint64 step) { log(tr("checkpoint %1 (update %2)").arg(path).arg(step)); });
  connect(m_runner, &PipelineRunner::latencySampleMeasured, this, [this](int stored, int planned, double ms) {
    setProgress(tr("sample %1/%2, %3 ms").arg(stored).arg(planned).arg(ms, 0, 'f', 2));
  });
  connect(m_runner, &PipelineRunner::generationDone, this, [this](int generation, int generations, const QString& line) {
    setProgress(tr("generation %1/%2").arg(generation + 1).arg(generations));
    log(line);
  });
  connect(m_runner, &PipelineRunner::finished, this, &PipelinePanel::runFinished);
  connect(m_runner, &PipelineRunner::failed, this,
          [this](const QString& error) { runEnded(tr("The pipeline failed: %1").arg(error)); });
}

QString PipelinePanel::shownProjectPath() const {
  if (m_project.path.empty() || !isTrial()) return QString::fromStdString(m_project.path);
  return QString::fromStdString(trialProjectPath(m_project.directory()));
}

bool PipelinePanel::isTrial() const { return m_trial->isChecked(); }
bool PipelinePanel::isRunning() const { return m_running; }
QString PipelinePanel::stateText(const QString& stage) const { return m_table->stateText(m_table->rowOf(stage)); }
QString PipelinePanel::progressText() const { return m_progress->text(); }
QString PipelinePanel::statusText() const { return m_status->text(); }
QString PipelinePanel::logText() const { return m_log->toPlainText(); }

std::optional<Project> PipelinePanel::shownProject(QString* error) const {
  if (m_project.path.empty()) return m_project;  // built in memory: nothing to read again
  try {
    Project p = Project::load(m_project.path);  // a ConfigError names the file and field
    if (!isTrial()) return p;
    const std::string path = trialProjectPath(p.directory());
    Project trial = Project::fromJson(trialProject(p.toJson(), p.directory()), path);
    trial.path = path;
    return trial;
  } catch (const std::exception& e) {
    *error = QString::fromUtf8(e.what());
  }
  return std::nullopt;
}

void PipelinePanel::refresh() {
  if (m_running) return;
  QString error;
  const std::optional<Project> p = shownProject(&error);
  m_stages.clear();
  if (p) {
    try {
      m_stages = pipelineStatus(*p);
    } catch (const std::exception& e) {
      error = QString::fromUtf8(e.what());
    }
  }
  m_refreshError = error.isEmpty() ? QString() : tr("Cannot read the pipeline's state: %1").arg(error);
  m_table->setStages(m_stages, p ? QString::fromStdString(p->directory()) : QString());
  // Where a run would start.
  size_t upToDate = 0;
  int first = -1;
  for (size_t i = 0; i < m_stages.size(); ++i) {
    if (m_stages[i].state == PipelineStageState::UpToDate) ++upToDate;
    else if (first < 0) first = static_cast<int>(i);
  }
  m_stageLabel.clear();
  if (m_stages.empty()) setProgress(QString());
  else if (first < 0) setProgress(tr("All %1 stages up to date: a run has nothing to do").arg(m_stages.size()));
  else
    setProgress(tr("%1 of %2 stages up to date; a run starts with %3 (%4)")
                    .arg(upToDate)
                    .arg(m_stages.size())
                    .arg(m_table->stageName(first), m_table->stateText(first)));
  updateStatus();
}

void PipelinePanel::run() {
  if (m_running || !m_blocked.isEmpty()) return;
  refresh();  // the rows the run follows
  const bool started = m_project.path.empty() ? m_runner->start(m_project)
                                              : m_runner->start(QString::fromStdString(m_project.path), isTrial());
  if (!started) return;
  m_runStatus.clear();
  setRunning(true);
  Q_EMIT runningChanged(true);
  setProgress(tr("starting…"));
  updateStatus();
  log(tr("%1 pipeline of %2").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), shownProjectPath()));
}

void PipelinePanel::stop() {
  if (!m_running) return;
  m_runner->requestStop();
  m_stop->setEnabled(false);
  m_runStatus = tr("Stopping the running stage (what it did is kept)…");
  updateStatus();
}

void PipelinePanel::setBlocked(const QString& reason) {
  m_blocked = reason;
  setRunning(m_running);
}

void PipelinePanel::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  refresh();
}

void PipelinePanel::stageStarted(int index, int count, const QString& name, const QString& title, const QString& why) {
  m_stageLabel = QStringLiteral("[%1/%2] %3").arg(index + 1).arg(count).arg(name);
  m_table->markRunning(m_table->rowOf(name), why);
  const QString line = why.isEmpty() ? title : tr("%1 (%2)").arg(title, why);
  setProgress(line);
  log(QStringLiteral("%1: %2").arg(m_stageLabel, line));
}

void PipelinePanel::stageDone(int index, int count, const QString& name, double seconds) {
  m_table->markDone(m_table->rowOf(name), seconds);
  log(tr("[%1/%2] %3: done in %4").arg(index + 1).arg(count).arg(name, PipelineStageTable::formatSeconds(seconds)));
}

void PipelinePanel::setProgress(const QString& detail) {
  m_progress->setText(m_stageLabel.isEmpty() ? detail : QStringLiteral("%1: %2").arg(m_stageLabel, detail));
}

void PipelinePanel::runFinished(const PipelineResult& r) {
  const QString message = QString::fromStdString(r.message);
  const QString modelDir = QString::fromStdString(r.modelDir);
  switch (r.status) {
    case PipelineStatus::Completed:
      runEnded(tr("Pipeline complete in %1: the retrained model is in %2")
                   .arg(PipelineStageTable::formatSeconds(r.seconds), modelDir));
      Q_EMIT modelReady(modelDir);
      return;
    case PipelineStatus::Stopped: return runEnded(tr("Stopped: %1").arg(message));
    case PipelineStatus::Diverged: return runEnded(tr("Diverged: %1").arg(message));
    case PipelineStatus::Failed: return runEnded(tr("Failed: %1").arg(message));
  }
}

void PipelinePanel::runEnded(const QString& status) {
  m_table->clearRunning();
  m_runStatus = status;
  log(status);
  m_running = false;
  refresh();
  setRunning(false);
  Q_EMIT runningChanged(false);
}

void PipelinePanel::setRunning(bool running) {
  m_running = running;
  m_run->setEnabled(!running && m_blocked.isEmpty());
  m_run->setToolTip(m_blocked.isEmpty() ? m_runTip : m_blocked);
  m_stop->setEnabled(running);
  m_trial->setEnabled(!running && !m_project.path.empty());
}

void PipelinePanel::updateStatus() {
  QStringList parts;
  for (const QString& part : {m_refreshError, m_runStatus})
    if (!part.isEmpty()) parts << part;
  m_status->setText(parts.join(QStringLiteral(" — ")));
}

void PipelinePanel::log(const QString& line) { m_log->appendPlainText(line); }

}  // namespace automoe::widgets
