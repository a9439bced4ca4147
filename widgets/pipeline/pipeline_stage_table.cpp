#include "pipeline/pipeline_stage_table.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QHeaderView>
#include <cmath>

namespace automoe::widgets {

namespace {

const QColor kRunning(0xff, 0xf1, 0xb8);  // the running stage's row

// "2026-11-25T15:59:44Z" as local time to the minute; anything else as it is.
QString localTime(const QString& utc) {
  const QDateTime t = QDateTime::fromString(utc, Qt::ISODate);
  return t.isValid() ? t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")) : utc;
}

}  // namespace

PipelineStageTable::PipelineStageTable(QWidget* parent) : QTableWidget(0, kColumns, parent) {
  setObjectName(QStringLiteral("pipelineStages"));
  setHorizontalHeaderLabels({tr("Stage"), tr("State"), tr("Last run"), tr("Finished")});
  setEditTriggers(QAbstractItemView::NoEditTriggers);
  setSelectionBehavior(QAbstractItemView::SelectRows);
  setSelectionMode(QAbstractItemView::SingleSelection);
  setWordWrap(false);
  verticalHeader()->setVisible(false);
  verticalHeader()->setDefaultSectionSize(fontMetrics().lineSpacing() + 8);
  horizontalHeader()->setSectionResizeMode(kStageColumn, QHeaderView::ResizeToContents);
  horizontalHeader()->setSectionResizeMode(kStateColumn, QHeaderView::Stretch);
  horizontalHeader()->setSectionResizeMode(kSecondsColumn, QHeaderView::ResizeToContents);
  horizontalHeader()->setSectionResizeMode(kFinishedColumn, QHeaderView::ResizeToContents);
}

QString PipelineStageTable::stateWords(const PipelineStageStatus& s, const QString& projectDir) {
  switch (s.state) {
    case PipelineStageState::NotRun: return tr("not run");
    case PipelineStageState::UpToDate: return tr("up to date");
    case PipelineStageState::Interrupted: return tr("interrupted: resumes");
    case PipelineStageState::Changed: return tr("changed: starts over");
    case PipelineStageState::Outdated: break;
  }
  if (s.detail.empty()) return tr("outdated: runs again");
  const QString file = QString::fromStdString(s.detail);
  const QString absolute = QFileInfo(QDir(projectDir), file).absoluteFilePath();
  const QString relative = QDir(projectDir).relativeFilePath(absolute);
  const QString shown = relative.startsWith(QLatin1String("..")) ? absolute : relative;
  return QFileInfo::exists(absolute) ? tr("outdated: %1 changed").arg(shown) : tr("outdated: %1 is missing").arg(shown);
}

QString PipelineStageTable::formatSeconds(double seconds) {
  if (seconds < 60) return tr("%1 s").arg(seconds, 0, 'f', 1);
  const auto s = static_cast<long long>(std::llround(seconds));
  if (s < 3600) return tr("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
  return tr("%1 h %2 min").arg(s / 3600).arg(s % 3600 / 60, 2, 10, QLatin1Char('0'));
}

void PipelineStageTable::setStages(const std::vector<PipelineStageStatus>& stages, const QString& projectDir) {
  m_runningRow = -1;
  setRowCount(static_cast<int>(stages.size()));
  for (int row = 0; row < rowCount(); ++row) {
    const PipelineStageStatus& s = stages[static_cast<size_t>(row)];
    const QString name = QString::fromStdString(s.name);
    setCell(row, kStageColumn, QStringLiteral("%1. %2: %3").arg(row + 1).arg(name, QString::fromStdString(s.title)));
    item(row, kStageColumn)->setData(Qt::UserRole, name);
    QStringList outputs;
    for (const std::string& o : s.outputs) outputs << QString::fromStdString(o);
    setCell(row, kStateColumn, stateWords(s, projectDir),
            outputs.isEmpty() ? QString() : tr("Writes %1").arg(outputs.join(QStringLiteral(", "))));
    setCell(row, kSecondsColumn, s.seconds > 0 ? formatSeconds(s.seconds) : QString());
    setCell(row, kFinishedColumn, localTime(QString::fromStdString(s.finishedAt)),
            s.finishedAt.empty() ? QString() : tr("%1 (UTC)").arg(QString::fromStdString(s.finishedAt)));
    highlight(row, false);
  }
  // Tall enough for every stage (nine rows) without scrolling.
  setMinimumHeight(horizontalHeader()->sizeHint().height() + verticalHeader()->length() + 2 * frameWidth() + 2);
}

void PipelineStageTable::markRunning(int row, const QString& why) {
  clearRunning();
  if (row < 0 || row >= rowCount()) return;
  m_runningRow = row;
  setCell(row, kStateColumn, why.isEmpty() ? tr("running") : tr("running (%1)").arg(why));
  highlight(row, true);
  scrollToItem(item(row, kStageColumn));
}

void PipelineStageTable::markDone(int row, double seconds) {
  if (row < 0 || row >= rowCount()) return;
  if (row == m_runningRow) clearRunning();
  setCell(row, kStateColumn, tr("up to date"));
  setCell(row, kSecondsColumn, formatSeconds(seconds));
  const QDateTime now = QDateTime::currentDateTimeUtc();
  setCell(row, kFinishedColumn, localTime(now.toString(Qt::ISODate)), tr("%1 (UTC)").arg(now.toString(Qt::ISODate)));
}

void PipelineStageTable::markUpToDate(int row) {
  if (row >= 0 && row < rowCount()) setCell(row, kStateColumn, tr("up to date"));
}

void PipelineStageTable::clearRunning() {
  if (m_runningRow >= 0 && m_runningRow < rowCount()) highlight(m_runningRow, false);
  m_runningRow = -1;
}

QString PipelineStageTable::stageName(int row) const {
  const QTableWidgetItem* i = item(row, kStageColumn);
  return i ? i->data(Qt::UserRole).toString() : QString();
}

QString PipelineStageTable::stateText(int row) const {
  const QTableWidgetItem* i = item(row, kStateColumn);
  return i ? i->text() : QString();
}

int PipelineStageTable::rowOf(const QString& stage) const {
  for (int row = 0; row < rowCount(); ++row)
    if (stageName(row) == stage) return row;
  return -1;
}

void PipelineStageTable::setCell(int row, int column, const QString& text, const QString& tip) {
  QTableWidgetItem* i = item(row, column);
  if (!i) {
    i = new QTableWidgetItem;
    setItem(row, column, i);
  }
  i->setText(text);
  i->setToolTip(tip.isEmpty() ? text : tip);
}

void PipelineStageTable::highlight(int row, bool on) {
  for (int column = 0; column < columnCount(); ++column) {
    QTableWidgetItem* i = item(row, column);
    if (!i) continue;
    i->setBackground(on ? QBrush(kRunning) : QBrush());
    i->setForeground(on ? QBrush(Qt::black) : QBrush());  // readable on the light mark in a dark theme too
    QFont f = i->font();
    f.setBold(on);
    i->setFont(f);
  }
}

}  // namespace automoe::widgets
