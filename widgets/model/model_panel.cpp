#include "model/model_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTime>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>

#include "eval/translator.h"
#include "export/export_job.h"
#include "model/model_runner.h"
#include "plot/training_curves_plot.h"
#include "train/metrics_history.h"
#include "train/retrain_job.h"
#include "util/job_controls.h"

namespace automoe::widgets {

namespace {

bool isModelFolder(const QString& dir) { return QFileInfo::exists(dir + QStringLiteral("/model_card.json")); }

}  // namespace

ModelPanel::ModelPanel(Project project, QWidget* parent)
    : QWidget(parent),
      m_project(std::move(project)),
      m_arch(m_project.space.largest()),
      m_archLabel(tr("largest")),
      m_runner(new ModelRunner(this)),
      m_controls(new JobControls(
          QStringLiteral("model"),
          {tr("Retrain"), tr("Train this subnet from scratch with the project's retrain options and export the "
                             "averaged model (resumes the run folder unless \"Start over\")"),
           tr("Stop the running job (a retraining keeps a checkpoint)"),
           tr("Replace the retraining run folder with a new run"),
           tr("Retrain on a synthetic corpus (no model folder: it has no tokenizer)")},
          this)),
      m_curves(new TrainingCurvesPlot(this)),
      m_subnet(new QLabel(this)),
      m_updates(new QSpinBox(this)),
      m_latency(new QCheckBox(tr("Measure latency"), this)),
      m_export(new QPushButton(tr("Export"), this)),
      m_evaluate(new QPushButton(tr("Evaluate"), this)),
      m_split(new QComboBox(this)),
      m_model(new QComboBox(this)),
      m_addFolder(new QPushButton(tr("Folder…"), this)),
      m_source(new QPlainTextEdit(this)),
      m_translation(new QPlainTextEdit(this)),
      m_translate(new QPushButton(tr("Translate"), this)) {
  setObjectName(QStringLiteral("modelPanel"));
  buildRow();
  m_subnet->setObjectName(QStringLiteral("modelSubnet"));
  m_subnet->setWordWrap(true);
  m_subnet->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(m_curves);
  split->addWidget(buildTranslator());
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  split->setChildrenCollapsible(false);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(m_controls);
  layout->addWidget(m_subnet);
  layout->addWidget(split, 1);
  layout->addWidget(m_controls->logView());

  connect(m_controls, &JobControls::startClicked, this, &ModelPanel::retrain);
  connect(m_controls, &JobControls::stopClicked, this, &ModelPanel::stop);
  connect(m_export, &QPushButton::clicked, this, &ModelPanel::exportModel);
  connect(m_evaluate, &QPushButton::clicked, this, &ModelPanel::evaluate);
  connect(m_translate, &QPushButton::clicked, this, &ModelPanel::translate);
  connect(m_runner, &ModelRunner::message, this, &ModelPanel::log);
  connect(m_runner, &ModelRunner::stepDone, this, [this](const TrainStepStats& s) {
    m_curves->addTrainingLoss(s.step, s.loss);
    m_controls->setStatus(tr("retraining: update %1/%2 · loss %3 · %4 tgt tok/s")
                              .arg(s.step)
                              .arg(m_updates->value())
                              .arg(s.loss, 0, 'f', 3)
                              .arg(s.targetTokensPerSecond, 0, 'f', 0));
  });
  connect(m_runner, &ModelRunner::validationDone, this, [this](const ValidationStats& v) {
    for (const auto& e : v.subnets) {
      m_curves->addValidationLoss(v.step, QString::fromStdString(e.name), e.loss);
      log(tr("valid @%1: %2 %3").arg(v.step).arg(QString::fromStdString(e.name)).arg(e.loss, 0, 'f', 3));
    }
  });
  connect(m_runner, &ModelRunner::modelWritten, this, [this](const QString& dir) {
    refreshModels();
    m_model->setCurrentIndex(std::max(0, m_model->findData(dir)));
  });
  connect(m_runner, &ModelRunner::translated, this,
          [this](const QStringList& lines) { m_translation->setPlainText(lines.join(QLatin1Char('\n'))); });
  connect(m_runner, &ModelRunner::finished, this, &ModelPanel::runFinished);
  connect(m_runner, &ModelRunner::failed, this, &ModelPanel::runFailed);
  setArch(m_arch, m_archLabel);
  refreshModels();
  loadHistory();
  m_controls->setStatus(tr("Retraining run folder: %1").arg(retrainDir()));
}

// The retraining's updates and the other stages' buttons in the controls' row.
void ModelPanel::buildRow() {
  m_updates->setObjectName(QStringLiteral("modelUpdates"));
  m_updates->setRange(1, std::numeric_limits<int>::max());
  m_updates->setValue(static_cast<int>(
      std::clamp<int64_t>(m_project.retrain.training.maxUpdates, 1, std::numeric_limits<int>::max())));
  m_updates->setToolTip(tr("Updates the retraining ends at (the project's retrain.training.max_updates by default)"));
  m_latency->setObjectName(QStringLiteral("modelLatency"));
  m_latency->setChecked(true);
  m_latency->setToolTip(tr("Measure the exported model's latency under every hardware profile for its model card"));
  m_export->setObjectName(QStringLiteral("modelExport"));
  m_export->setToolTip(tr("Write this subnet with the trained supernet's weights as a model folder"));
  m_evaluate->setObjectName(QStringLiteral("modelEvaluate"));
  m_evaluate->setToolTip(tr("Translate the split with the chosen model folder and score it (loss, BLEU); the "
                            "result is saved beside the model"));
  m_split->setObjectName(QStringLiteral("modelSplit"));
  m_split->addItem(QStringLiteral("test"), QStringLiteral("test"));
  m_split->addItem(QStringLiteral("valid"), QStringLiteral("valid"));
  m_split->setCurrentIndex(std::max(0, m_split->findData(QString::fromStdString(m_project.evaluation.split))));
  for (QPushButton* b : {m_export, m_evaluate}) b->setProperty("defaultTip", b->toolTip());
  m_controls->addToRow(new QLabel(tr("updates"), this));
  m_controls->addToRow(m_updates);
  m_controls->addToRow(m_latency);
  m_controls->addToRow(m_export);
  m_controls->addToRow(m_evaluate);
  m_controls->addToRow(m_split);
}

// The model chooser and the translation boxes.
QWidget* ModelPanel::buildTranslator() {
  auto* box = new QGroupBox(tr("Model folder"), this);
  m_model->setObjectName(QStringLiteral("modelFolder"));
  m_model->setToolTip(tr("The model Evaluate and Translate use"));
  m_source->setObjectName(QStringLiteral("modelSource"));
  m_source->setPlaceholderText(tr("Sentences to translate, one per line"));
  m_translation->setObjectName(QStringLiteral("modelTranslation"));
  m_translation->setReadOnly(true);
  m_translation->setPlaceholderText(tr("Translations"));
  m_translate->setObjectName(QStringLiteral("modelTranslate"));
  m_translate->setToolTip(tr("Translate the lines above with the chosen model (beam search with the project's "
                             "evaluation settings)"));
  m_translate->setProperty("defaultTip", m_translate->toolTip());
  m_addFolder->setObjectName(QStringLiteral("modelAddFolder"));
  m_addFolder->setToolTip(tr("Choose another model folder (written by Export, Retrain or `automoe export`) to "
                             "evaluate and translate with"));
  connect(m_addFolder, &QPushButton::clicked, this, &ModelPanel::addModelFolderFromDialog);
  auto* chooser = new QHBoxLayout;
  chooser->addWidget(m_model, 1);
  chooser->addWidget(m_addFolder);
  auto* layout = new QVBoxLayout(box);
  layout->addLayout(chooser);
  layout->addWidget(m_source, 1);
  layout->addWidget(m_translate);
  layout->addWidget(m_translation, 1);
  return box;
}

QString ModelPanel::exportDir() const { return QString::fromStdString(searchModelDir(m_project)); }
QString ModelPanel::retrainDir() const { return QString::fromStdString(retrainRunDir(m_project, RetrainJob{})); }
QString ModelPanel::retrainedModelDir() const {
  return QString::fromStdString(automoe::retrainedModelDir(retrainDir().toStdString()));
}
QString ModelPanel::modelDir() const { return m_model->currentData().toString(); }
bool ModelPanel::isRunning() const { return m_running; }
QPushButton* ModelPanel::retrainButton() const { return m_controls->startButton(); }
QPushButton* ModelPanel::stopButton() const { return m_controls->stopButton(); }
QCheckBox* ModelPanel::freshBox() const { return m_controls->freshBox(); }
QCheckBox* ModelPanel::syntheticBox() const { return m_controls->syntheticBox(); }
QString ModelPanel::subnetText() const { return m_subnet->text(); }
QString ModelPanel::statusText() const { return m_controls->status(); }
QString ModelPanel::logText() const { return m_controls->logText(); }
void ModelPanel::log(const QString& line) { m_controls->log(line); }

void ModelPanel::setArch(const ArchConfig& arch, const QString& label) {
  m_arch = arch;
  m_archLabel = label;
  m_candidateId = -1;
  m_subnet->setText(tr("Subnet (%1): %2").arg(label, QString::fromStdString(arch.summary())));
}

void ModelPanel::setCandidate(int id, double validLoss) {
  m_candidateId = id;
  m_candidateLoss = validLoss;
}

bool ModelPanel::addModelFolder(const QString& dir) {
  const QString clean = QDir::cleanPath(QFileInfo(dir).absoluteFilePath());
  if (!isModelFolder(clean)) {
    m_controls->setStatus(tr("%1 is not a model folder: it has no model_card.json (Export, Retrain or `automoe "
                             "export` write one)")
                              .arg(QDir::toNativeSeparators(clean)));
    return false;
  }
  if (!m_addedFolders.contains(clean)) m_addedFolders.append(clean);
  refreshModels();
  m_model->setCurrentIndex(std::max(0, m_model->findData(clean)));
  updateButtons();
  return true;
}

void ModelPanel::addModelFolderFromDialog() {
  const QString start = modelDir().isEmpty() ? QString::fromStdString(m_project.resolvePath(".")) : modelDir();
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Add a model folder"), start);
  if (!dir.isEmpty()) addModelFolder(dir);
}

void ModelPanel::refreshModels() {
  const QString current = modelDir();
  m_model->clear();
  if (isModelFolder(retrainedModelDir()))
    m_model->addItem(tr("retrained: %1").arg(retrainedModelDir()), retrainedModelDir());
  if (isModelFolder(exportDir())) m_model->addItem(tr("supernet weights: %1").arg(exportDir()), exportDir());
  for (const QString& dir : m_addedFolders)
    if (isModelFolder(dir) && m_model->findData(dir) < 0) m_model->addItem(tr("folder: %1").arg(dir), dir);
  if (m_model->count() == 0) m_model->addItem(tr("no model folder yet: Export or Retrain"), QString());
  m_model->setCurrentIndex(std::max(0, m_model->findData(current)));
  updateButtons();
}

void ModelPanel::loadHistory() {
  m_curves->clear();
  const MetricsHistory h = readMetricsHistory((retrainDir() + QStringLiteral("/metrics.jsonl")).toStdString());
  for (const auto& s : h.steps) m_curves->addTrainingLoss(s.step, s.loss);
  for (const auto& v : h.validations)
    for (const auto& e : v.subnets) m_curves->addValidationLoss(v.step, QString::fromStdString(e.name), e.loss);
}

void ModelPanel::started(const QString& what) {
  m_running = true;
  m_controls->setRunning(true);
  updateButtons();
  m_controls->setStatus(what + QStringLiteral("…"));
  log(tr("%1 %2").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), what));
  Q_EMIT runStarted();
}

void ModelPanel::exportModel() {
  if (m_running || !m_controls->blocked().isEmpty()) return;
  ExportJob job;
  job.outDir = exportDir().toStdString();
  job.measureLatency = m_latency->isChecked();
  if (m_candidateId >= 0) {
    job.candidateId = m_candidateId;
    job.validLoss = m_candidateLoss;
  }
  if (m_runner->startExport(m_project, m_arch, job)) started(tr("exporting %1 to %2").arg(m_archLabel, exportDir()));
}

void ModelPanel::retrain() {
  if (m_running || !m_controls->blocked().isEmpty()) return;
  RetrainJob job;
  job.fresh = m_controls->fresh();
  job.synthetic = m_controls->synthetic();
  job.maxUpdates = m_updates->value();
  job.measureLatency = m_latency->isChecked();
  job.freshHint = tr("tick \"Start over\" to replace it").toStdString();
  if (job.fresh) m_curves->clear();
  if (!m_runner->startRetrain(m_project, m_arch, job)) return;
  m_controls->clearFresh();  // a second start resumes this run
  started(tr("retraining %1 in %2").arg(m_archLabel, retrainDir()));
}

void ModelPanel::evaluate() {
  if (m_running || !m_controls->blocked().isEmpty() || modelDir().isEmpty()) return;
  EvaluationOptions o = m_project.evaluation;
  o.split = m_split->currentData().toString().toStdString();
  if (m_runner->startEvaluation(m_project, modelDir(), o))
    started(tr("evaluating %1 on %2").arg(modelDir(), m_split->currentData().toString()));
}

void ModelPanel::translate() {
  if (m_running || !m_controls->blocked().isEmpty() || modelDir().isEmpty()) return;
  const QStringList lines = m_source->toPlainText().split(QLatin1Char('\n'));
  if (m_source->toPlainText().trimmed().isEmpty()) {
    m_controls->setStatus(tr("Type the sentences to translate, one per line"));
    return;
  }
  if (m_runner->startTranslation(modelDir(), lines, TranslatorOptions::from(m_project.evaluation))) {
    m_translation->clear();
    started(tr("translating %1 line(s)").arg(lines.size()));
  }
}

void ModelPanel::stop() {
  if (!m_running) return;
  m_runner->requestStop();
  m_controls->stopping();
}

void ModelPanel::runFinished(const QString& summary, bool) {
  m_running = false;
  m_controls->setRunning(false);
  updateButtons();
  m_controls->setStatus(summary);
  log(summary);
  Q_EMIT runEnded();
}

void ModelPanel::runFailed(const QString& error) {
  m_running = false;
  m_controls->setRunning(false);
  updateButtons();
  m_controls->setStatus(tr("Failed: %1").arg(error));
  log(tr("error: %1").arg(error));
  Q_EMIT runEnded();
}

void ModelPanel::setBlocked(const QString& reason) {
  m_controls->setBlocked(reason);
  updateButtons();
}

void ModelPanel::updateButtons() {
  const QString blocked = m_controls->blocked();
  const bool can = !m_running && blocked.isEmpty();
  const bool haveModel = !modelDir().isEmpty();
  m_export->setEnabled(can);
  m_evaluate->setEnabled(can && haveModel);
  m_translate->setEnabled(can && haveModel);
  for (QWidget* w : {static_cast<QWidget*>(m_updates), static_cast<QWidget*>(m_latency),
                     static_cast<QWidget*>(m_split), static_cast<QWidget*>(m_model),
                     static_cast<QWidget*>(m_addFolder)})
    w->setEnabled(!m_running);
  for (QPushButton* b : {m_export, m_evaluate, m_translate})
    b->setToolTip(blocked.isEmpty() ? b->property("defaultTip").toString() : blocked);
}

}  // namespace automoe::widgets
