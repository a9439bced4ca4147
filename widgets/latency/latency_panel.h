#pragma once
// The latency view of one hardware profile: measure the project's latency dataset on this machine
// (LatencyRunner; resumable, a stop keeps every measured subnet) and fit the latency predictor on
// it, as `automoe latency dataset` and `automoe latency train` do. Two plots: measured latency
// against FLOPs per sentence (how far FLOPs are from latency, growing live while measuring), and
// the predictor's predictions against the measurements (training and held-out rows, with y = x).
// Measuring wants the machine to itself: the window blocks it while training or a search runs
// (setBlocked), and blocks those while it measures.
#include <QString>
#include <QWidget>

#include "project/project.h"

class QCheckBox;
class QComboBox;
class QPushButton;
class QSpinBox;

namespace automoe::widgets {

class JobControls;
class LatencyRunner;
class ScatterPlot;

class LatencyPanel : public QWidget {
  Q_OBJECT

 public:
  // Series of fitPlot().
  enum FitSeries { kTrainingRows = 0, kHeldOutRows = 1, kNewRows = 2 };

  explicit LatencyPanel(Project project, QWidget* parent = nullptr);

  QString profile() const;
  QString datasetPath() const;
  bool isRunning() const;
  // Whether what runs is a measurement (not a predictor fit).
  bool isMeasuring() const { return m_running && m_measuring; }

  LatencyRunner* runner() const { return m_runner; }
  ScatterPlot* flopsPlot() const { return m_flopsPlot; }
  ScatterPlot* fitPlot() const { return m_fitPlot; }
  QComboBox* profileBox() const { return m_profile; }
  QSpinBox* samplesBox() const { return m_samples; }
  QPushButton* measureButton() const;
  QPushButton* trainButton() const { return m_train; }
  QPushButton* stopButton() const;
  QString statusText() const;
  QString logText() const;

 public Q_SLOTS:
  void measure();
  void trainPredictor();
  void stop();
  // Reads the profile's dataset and predictor again.
  void reload();
  // While `reason` is not empty, measuring cannot start (the button's tool tip says why).
  void setBlocked(const QString& reason);
  // Fitting the predictor is not blocked by the other jobs, but by one that writes the latency
  // dataset or the predictor itself (the pipeline): "" unblocks it.
  void setFitBlocked(const QString& reason);

 Q_SIGNALS:
  void runStarted();
  void runEnded();

 private:
  void sampleMeasured(int stored, int planned, double ms, double flops, int index, const QString& summary);
  void showFit();
  void runFinished(const QString& summary, bool stopped);
  void runFailed(const QString& error);
  void setRunning(bool running);
  void updateButtons();
  void log(const QString& line);

  Project m_project;
  LatencyRunner* m_runner;
  JobControls* m_controls;
  QComboBox* m_profile;
  QSpinBox* m_samples;
  QPushButton* m_train;
  ScatterPlot* m_flopsPlot;
  ScatterPlot* m_fitPlot;
  QString m_datasetState;    // "120 of 200 samples measured"
  QString m_predictorState;  // "predictor: held-out Kendall tau 0.951 …"
  bool m_running = false;
  QString m_fitBlocked;  // setFitBlocked
  bool m_measuring = false;
};

}  // namespace automoe::widgets
