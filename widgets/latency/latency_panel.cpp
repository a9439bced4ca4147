#include "latency/latency_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTime>
#include <QVBoxLayout>
#include <exception>
#include <filesystem>

#include "arch/arch_stats.h"
#include "latency/hardware_profile.h"
#include "latency/latency_dataset.h"
#include "latency/latency_job.h"
#include "latency/latency_paths.h"
#include "latency/latency_sample.h"
#include "latency/latency_runner.h"
#include "plot/scatter_plot.h"
#include "util/job_controls.h"

namespace automoe::widgets {

namespace {

const char* const kMeasureTip = QT_TRANSLATE_NOOP("LatencyPanel",
    "Measure the subnets of the project's latency plan on this machine under the chosen profile "
    "(resumes the stored dataset; subnets already measured are not measured again)");
const char* const kTrainTip = QT_TRANSLATE_NOOP("LatencyPanel",
    "Fit the latency predictor on the profile's dataset (at least 5 samples), as automoe latency train does");

QString describe(const HardwareProfile& h) {
  return QCoreApplication::translate("LatencyPanel", "%1, %2 thread(s), batch %3, %4 source tokens, %5 decoder steps, beam %6, "
                            "%7 warm-up + %8 measured runs")
      .arg(QString::fromStdString(h.device))
      .arg(h.threads)
      .arg(h.batchSize)
      .arg(h.srcLen)
      .arg(h.tgtLen)
      .arg(h.beam)
      .arg(h.warmup)
      .arg(h.runs);
}

// A measured subnet's hover text in the FLOPs plot.
QString sampleLabel(int index, double ms, double gflops, const QString& summary) {
  return QCoreApplication::translate("LatencyPanel", "sample %1: %2 ms, %3 GFLOPs\n%4")
      .arg(index)
      .arg(ms, 0, 'f', 2)
      .arg(gflops, 0, 'f', 3)
      .arg(summary);
}

}  // namespace

LatencyPanel::LatencyPanel(Project project, QWidget* parent)
    : QWidget(parent),
      m_project(std::move(project)),
      m_runner(new LatencyRunner(this)),
      m_controls(new JobControls(QStringLiteral("latency"),
                                 {tr("Measure"), tr(kMeasureTip),
                                  tr("Stop after the subnet being measured; every measured one is kept"), {}, {}},
                                 this)),
      m_profile(new QComboBox(this)),
      m_samples(new QSpinBox(this)),
      m_train(new QPushButton(tr("Train predictor"), this)),
      m_flopsPlot(new ScatterPlot(this)),
      m_fitPlot(new ScatterPlot(this)) {
  setObjectName(QStringLiteral("latencyPanel"));
  m_controls->freshBox()->hide();
  m_controls->syntheticBox()->hide();
  m_profile->setObjectName(QStringLiteral("latencyProfile"));
  for (const HardwareProfile& h : m_project.hardwareProfiles) {
    m_profile->addItem(QString::fromStdString(h.name), QString::fromStdString(h.name));
    m_profile->setItemData(m_profile->count() - 1, describe(h), Qt::ToolTipRole);
  }
  const int preferred = m_profile->findData(QString::fromStdString(m_project.search.profile));
  m_profile->setCurrentIndex(std::max(0, preferred));
  m_profile->setToolTip(tr("The hardware profile: how latency is measured (the search uses %1)")
                            .arg(QString::fromStdString(m_project.search.profile)));
  m_samples->setObjectName(QStringLiteral("latencySamples"));
  m_samples->setRange(1, 1000000);
  m_samples->setValue(std::max(1, m_project.latency.datasetSamples));
  m_samples->setToolTip(tr("The dataset's size to reach (the project's latency.dataset_samples by default)"));
  m_train->setObjectName(QStringLiteral("latencyTrain"));
  m_train->setToolTip(tr(kTrainTip));
  m_controls->addToRow(new QLabel(tr("profile"), this));
  m_controls->addToRow(m_profile);
  m_controls->addToRow(new QLabel(tr("samples"), this));
  m_controls->addToRow(m_samples);
  m_controls->addToRow(m_train);

  m_flopsPlot->setObjectName(QStringLiteral("latencyFlopsPlot"));
  m_flopsPlot->setAxisLabels(tr("GFLOPs per sentence (forward, profile's lengths)"), tr("measured latency (ms)"));
  m_flopsPlot->addSeries(tr("measured subnet"), ScatterPlot::Marker::Disc);
  m_flopsPlot->setPlaceholder(tr("No samples measured for this profile yet: Measure"));
  m_fitPlot->setObjectName(QStringLiteral("latencyFitPlot"));
  m_fitPlot->setAxisLabels(tr("measured latency (ms)"), tr("predicted latency (ms)"));
  m_fitPlot->addSeries(tr("training rows"), ScatterPlot::Marker::Disc);
  m_fitPlot->addSeries(tr("held-out rows"), ScatterPlot::Marker::Ring, QColor(0xd6, 0x27, 0x28));
  m_fitPlot->addSeries(tr("measured since the fit"), ScatterPlot::Marker::Cross, palette().color(QPalette::Mid));
  m_fitPlot->setDiagonal(true, tr("prediction = measurement"));
  m_fitPlot->setPlaceholder(tr("No predictor for this profile yet: Train predictor"));

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(m_flopsPlot);
  split->addWidget(m_fitPlot);
  split->setChildrenCollapsible(false);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(m_controls);
  layout->addWidget(split, 1);
  layout->addWidget(m_controls->logView());

  connect(m_controls, &JobControls::startClicked, this, &LatencyPanel::measure);
  connect(m_controls, &JobControls::stopClicked, this, &LatencyPanel::stop);
  connect(m_train, &QPushButton::clicked, this, &LatencyPanel::trainPredictor);
  connect(m_profile, &QComboBox::currentIndexChanged, this, &LatencyPanel::reload);
  connect(m_runner, &LatencyRunner::sampleMeasured, this, &LatencyPanel::sampleMeasured);
  connect(m_runner, &LatencyRunner::message, this, &LatencyPanel::log);
  connect(m_runner, &LatencyRunner::finished, this, &LatencyPanel::runFinished);
  connect(m_runner, &LatencyRunner::failed, this, &LatencyPanel::runFailed);
  reload();
  updateButtons();
}


QString LatencyPanel::profile() const { return m_profile->currentData().toString(); }
bool LatencyPanel::isRunning() const { return m_running; }
QPushButton* LatencyPanel::measureButton() const { return m_controls->startButton(); }
QPushButton* LatencyPanel::stopButton() const { return m_controls->stopButton(); }
QString LatencyPanel::statusText() const { return m_controls->status(); }
QString LatencyPanel::logText() const { return m_controls->logText(); }
void LatencyPanel::log(const QString& line) { m_controls->log(line); }

QString LatencyPanel::datasetPath() const {
  try {
    const HardwareProfile& h = findHardwareProfile(m_project.hardwareProfiles, profile().toStdString(), m_project.path);
    return QString::fromStdString(latencyDatasetPath(m_project, h));
  } catch (const std::exception&) {
    return {};
  }
}

void LatencyPanel::reload() {
  if (m_running) return;  // the running job's profile stays shown
  m_flopsPlot->clearPoints();
  m_fitPlot->clearPoints();
  m_datasetState = tr("no samples measured yet");
  m_predictorState = tr("no predictor yet");
  try {
    const HardwareProfile& h = findHardwareProfile(m_project.hardwareProfiles, profile().toStdString(), m_project.path);
    const std::string path = latencyDatasetPath(m_project, h);
    if (std::filesystem::exists(path)) {
      const LatencyDataset dataset = LatencyDataset::load(path);
      QVector<ScatterPoint> points;
      for (const LatencySample& s : dataset.samples()) {
        const ArchStats st =
            computeArchStats(s.arch, m_project.space.qkvDim, m_project.model.vocabSize, h.srcLen, h.tgtLen);
        points << ScatterPoint{st.flops / 1e9, s.measurement.meanMs(),
                               sampleLabel(s.index, s.measurement.meanMs(), st.flops / 1e9,
                                           QString::fromStdString(s.arch.summary()))};
      }
      m_flopsPlot->setPoints(0, points);
      m_datasetState = tr("%1 samples measured (%2)").arg(dataset.samples().size()).arg(QString::fromStdString(path));
    }
    showFit();
  } catch (const std::exception& e) {
    m_datasetState = tr("cannot read the latency results: %1").arg(QString::fromUtf8(e.what()));
    log(tr("error: %1").arg(QString::fromUtf8(e.what())));
  }
  m_controls->setStatus(tr("%1: %2 · %3").arg(profile(), m_datasetState, m_predictorState));
}

// The saved predictor against the dataset (throws what readLatencyFit throws).
void LatencyPanel::showFit() {
  const std::optional<LatencyFit> fit = readLatencyFit(m_project, profile().toStdString());
  if (!fit) return;
  QVector<ScatterPoint> series[3];
  for (const LatencyFitPoint& p : fit->points) {
    const int s = !p.inFit ? kNewRows : p.heldOut ? kHeldOutRows : kTrainingRows;
    series[s] << ScatterPoint{p.measuredMs, p.predictedMs,
                              tr("sample %1: measured %2 ms, predicted %3 ms\n%4")
                                  .arg(p.index)
                                  .arg(p.measuredMs, 0, 'f', 2)
                                  .arg(p.predictedMs, 0, 'f', 2)
                                  .arg(QString::fromStdString(p.summary))};
  }
  for (int s = 0; s < 3; ++s) m_fitPlot->setPoints(s, series[s]);
  const PredictorMetrics& m = fit->report.test.count > 0 ? fit->report.test : fit->report.train;
  m_predictorState = tr("predictor: %1 (%2) Kendall tau %3, MAPE %4 %, RMSE %5 ms")
                         .arg(fit->report.test.count > 0 ? tr("held out") : tr("training rows"))
                         .arg(m.count)
                         .arg(m.kendallTau, 0, 'f', 3)
                         .arg(100 * m.mape, 0, 'f', 2)
                         .arg(m.rmseMs, 0, 'f', 2);
  if (fit->datasetGrew)
    m_predictorState += tr("; %1 samples measured since it was trained: train it again")
                            .arg(series[kNewRows].size());
}

void LatencyPanel::measure() {
  if (m_running || !m_controls->blocked().isEmpty()) return;
  LatencyDatasetJob job;
  job.profile = profile().toStdString();
  job.samples = m_samples->value();
  if (!m_runner->startDataset(m_project, job)) return;
  log(tr("%1 measuring the latency dataset of %2").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), profile()));
  m_controls->setStatus(tr("%1: measuring…").arg(profile()));
  m_measuring = true;
  setRunning(true);
}

void LatencyPanel::trainPredictor() {
  if (m_running) return;
  LatencyPredictorJob job;
  job.profile = profile().toStdString();
  if (!m_runner->startPredictor(m_project, job)) return;
  log(tr("%1 training the latency predictor of %2").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), profile()));
  m_controls->setStatus(tr("%1: training the predictor…").arg(profile()));
  m_measuring = false;
  setRunning(true);
}

void LatencyPanel::stop() {
  if (!m_running) return;
  m_runner->requestStop();
  m_controls->stopping();
}

void LatencyPanel::sampleMeasured(int stored, int planned, double ms, double flops, int index, const QString& summary) {
  m_flopsPlot->appendPoint(0, {flops / 1e9, ms, sampleLabel(index, ms, flops / 1e9, summary)});
  const QString line = tr("[%1/%2] %3 ms  %4").arg(stored).arg(planned).arg(ms, 0, 'f', 2).arg(summary);
  log(line);
  m_controls->setStatus(tr("%1: measuring %2").arg(profile(), line));
}

void LatencyPanel::runFinished(const QString& summary, bool) {
  setRunning(false);
  log(summary);
  reload();
  Q_EMIT runEnded();
}

void LatencyPanel::runFailed(const QString& error) {
  setRunning(false);
  log(tr("error: %1").arg(error));
  reload();
  m_controls->setStatus(tr("%1: failed: %2").arg(profile(), error));
  Q_EMIT runEnded();
}

void LatencyPanel::setRunning(bool running) {
  m_running = running;
  m_controls->setRunning(running);
  updateButtons();
  if (running) Q_EMIT runStarted();
}

void LatencyPanel::setBlocked(const QString& reason) { m_controls->setBlocked(reason); }

void LatencyPanel::setFitBlocked(const QString& reason) {
  m_fitBlocked = reason;
  updateButtons();
}

void LatencyPanel::updateButtons() {
  m_train->setEnabled(!m_running && m_fitBlocked.isEmpty());  // fitting takes seconds and measures nothing
  m_train->setToolTip(m_fitBlocked.isEmpty() ? tr(kTrainTip) : m_fitBlocked);
  m_profile->setEnabled(!m_running);
  m_samples->setEnabled(!m_running);
}

}  // namespace automoe::widgets
