#pragma once
// The pipeline's stages, one row each: the stage and what it does, where it stands in words ("up
// to date", "not run", "interrupted: resumes", "changed: starts over", "outdated: <file>
// changed"), how long its last completed run took and when that finished. While a run goes, the
// running stage's row is marked "running" and highlighted, and a stage that completes says so.
#include <QString>
#include <QTableWidget>
#include <vector>

#include "pipeline/pipeline_job.h"

namespace automoe::widgets {

class PipelineStageTable : public QTableWidget {
  Q_OBJECT

 public:
  enum Column { kStageColumn = 0, kStateColumn, kSecondsColumn, kFinishedColumn, kColumns };

  explicit PipelineStageTable(QWidget* parent = nullptr);

  // One row per stage, in the pipeline's order; files named relative to `projectDir` where they
  // lie under it.
  void setStages(const std::vector<PipelineStageStatus>& stages, const QString& projectDir);
  // Marks `row` as running (`why` it runs again, when it ran before), unmarking any other.
  void markRunning(int row, const QString& why);
  // The stage of `row` ran now, or was found up to date by the run: its state, and the time it
  // took (when it ran).
  void markDone(int row, double seconds);
  void markUpToDate(int row);
  // No row marked running (after a run).
  void clearRunning();

  int runningRow() const { return m_runningRow; }
  QString stageName(int row) const;
  QString stateText(int row) const;
  // The row of `stage` (-1 when there is none).
  int rowOf(const QString& stage) const;

  // A stage's state in words (see above).
  static QString stateWords(const PipelineStageStatus& s, const QString& projectDir);
  // Seconds as "0.4 s", "12.3 s", "4 min 05 s", "1 h 02 min".
  static QString formatSeconds(double seconds);

 private:
  void setCell(int row, int column, const QString& text, const QString& tip = QString());
  void highlight(int row, bool on);

  int m_runningRow = -1;
};

}  // namespace automoe::widgets
