#pragma once
// The model view: what becomes of the subnet the window shows (sampled, or chosen on the Search
// tab). *Export* writes it with the supernet's weights as a model folder
// (<search.run_dir>/model); *Retrain* trains it from scratch with the project's retrain options
// (live curves; resumable; *Start over* replaces the run) and exports the averaged model;
// *Evaluate* scores a model folder on the test or valid split (loss, BLEU, saved beside it); and
// sentences typed in are translated with it (or with any model folder added with *Folder…*). The same core jobs as `automoe export`, `retrain`,
// `evaluate --model` and `translate`, one at a time on a worker thread (ModelRunner).
#include <QString>
#include <QWidget>

#include "arch/arch_config.h"
#include "project/project.h"
#include "util/core_metatypes.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace automoe::widgets {

class JobControls;
class ModelRunner;
class TrainingCurvesPlot;

class ModelPanel : public QWidget {
  Q_OBJECT

 public:
  explicit ModelPanel(Project project, QWidget* parent = nullptr);

  const ArchConfig& arch() const { return m_arch; }
  // <search.run_dir>/model, the retraining's run folder, and its model folder.
  QString exportDir() const;
  QString retrainDir() const;
  QString retrainedModelDir() const;
  // The model folder Evaluate and Translate use ("" while there is none).
  QString modelDir() const;
  bool isRunning() const;

  ModelRunner* runner() const { return m_runner; }
  TrainingCurvesPlot* curves() const { return m_curves; }
  QPushButton* exportButton() const { return m_export; }
  QPushButton* retrainButton() const;
  QPushButton* stopButton() const;
  QPushButton* evaluateButton() const { return m_evaluate; }
  QPushButton* translateButton() const { return m_translate; }
  QComboBox* modelBox() const { return m_model; }
  QPushButton* addFolderButton() const { return m_addFolder; }
  // The search candidate shown (-1 for a sampled subnet): its id and validation loss go on the
  // exported model's card.
  int candidateId() const { return m_candidateId; }
  QComboBox* splitBox() const { return m_split; }
  QSpinBox* updatesBox() const { return m_updates; }
  QCheckBox* latencyBox() const { return m_latency; }
  QCheckBox* freshBox() const;
  QCheckBox* syntheticBox() const;
  QPlainTextEdit* sourceEdit() const { return m_source; }
  QPlainTextEdit* translationView() const { return m_translation; }
  QString subnetText() const;
  QString statusText() const;
  QString logText() const;

 public Q_SLOTS:
  // The subnet the next export or retraining uses, and how the window names it.
  void setArch(const automoe::ArchConfig& arch, const QString& label);
  // Marks the subnet shown as search candidate `id` with its validation loss (after setArch,
  // which forgets any candidate).
  void setCandidate(int id, double validLoss);
  // Offers another model folder (one with a model_card.json, such as `automoe export` writes) to
  // Evaluate and Translate and chooses it; false, saying why in the status line, for a folder
  // that is not one. addModelFolderFromDialog() asks for it.
  bool addModelFolder(const QString& dir);
  void addModelFolderFromDialog();
  void exportModel();
  void retrain();
  void evaluate();
  void translate();
  void stop();
  // Lists the model folders that exist (retrained first).
  void refreshModels();
  // Replaces the curves with the retraining run's history.
  void loadHistory();
  // While `reason` is not empty, nothing can start here (the buttons' tool tips say why).
  void setBlocked(const QString& reason);

 Q_SIGNALS:
  void runStarted();
  void runEnded();

 private:
  void buildRow();
  QWidget* buildTranslator();
  void started(const QString& what);
  void runFinished(const QString& summary, bool stopped);
  void runFailed(const QString& error);
  void updateButtons();
  void log(const QString& line);

  Project m_project;
  ArchConfig m_arch;
  QString m_archLabel;
  ModelRunner* m_runner;
  JobControls* m_controls;
  TrainingCurvesPlot* m_curves;
  QLabel* m_subnet;
  QSpinBox* m_updates;
  QCheckBox* m_latency;
  QPushButton* m_export;
  QPushButton* m_evaluate;
  QComboBox* m_split;
  QComboBox* m_model;
  QPushButton* m_addFolder;
  QStringList m_addedFolders;
  int m_candidateId = -1;
  double m_candidateLoss = 0;
  QPlainTextEdit* m_source;
  QPlainTextEdit* m_translation;
  QPushButton* m_translate;
  bool m_running = false;
};

}  // namespace automoe::widgets
