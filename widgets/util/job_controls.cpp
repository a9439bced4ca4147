#include "util/job_controls.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace automoe::widgets {

JobControls::JobControls(const QString& prefix, const Texts& texts, QWidget* parent)
    : QWidget(parent),
      m_start(new QPushButton(texts.start, this)),
      m_stop(new QPushButton(tr("Stop"), this)),
      m_fresh(new QCheckBox(tr("Start over"), this)),
      m_synthetic(new QCheckBox(tr("Synthetic corpus"), this)),
      m_row(new QHBoxLayout),
      m_status(new QLabel(this)),
      m_log(new QPlainTextEdit(parent)),
      m_startTip(texts.startTip) {
  setObjectName(prefix + QStringLiteral("Controls"));
  m_start->setObjectName(prefix + QStringLiteral("Start"));
  m_start->setToolTip(texts.startTip);
  m_stop->setObjectName(prefix + QStringLiteral("Stop"));
  m_stop->setToolTip(texts.stopTip);
  m_fresh->setObjectName(prefix + QStringLiteral("Fresh"));
  m_fresh->setToolTip(texts.freshTip);
  m_synthetic->setObjectName(prefix + QStringLiteral("Synthetic"));
  m_synthetic->setToolTip(texts.syntheticTip);
  m_status->setObjectName(prefix + QStringLiteral("Status"));
  m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_status->setWordWrap(true);
  m_log->setObjectName(prefix + QStringLiteral("Log"));
  m_log->setReadOnly(true);
  m_log->setMaximumBlockCount(1000);
  m_log->setMaximumHeight(fontMetrics().lineSpacing() * 6);

  m_row->addWidget(m_start);
  m_row->addWidget(m_stop);
  m_row->addWidget(m_fresh);
  m_row->addWidget(m_synthetic);
  m_row->addSpacing(8);
  m_row->addStretch(1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addLayout(m_row);
  layout->addWidget(m_status);
  connect(m_start, &QPushButton::clicked, this, &JobControls::startClicked);
  connect(m_stop, &QPushButton::clicked, this, &JobControls::stopClicked);
  setRunning(false);
}

void JobControls::addToRow(QWidget* widget) { m_row->insertWidget(m_row->count() - 1, widget); }  // before the stretch

void JobControls::setRunning(bool running) {
  m_running = running;
  m_start->setEnabled(!running && m_blocked.isEmpty());
  m_start->setToolTip(m_blocked.isEmpty() ? m_startTip : m_blocked);
  m_fresh->setEnabled(!running);
  m_synthetic->setEnabled(!running);
  m_stop->setEnabled(running);
}

void JobControls::setBlocked(const QString& reason) {
  m_blocked = reason;
  m_start->setEnabled(!m_running && m_blocked.isEmpty());
  m_start->setToolTip(m_blocked.isEmpty() ? m_startTip : m_blocked);
}

void JobControls::stopping() { m_stop->setEnabled(false); }
bool JobControls::fresh() const { return m_fresh->isChecked(); }
bool JobControls::synthetic() const { return m_synthetic->isChecked(); }
void JobControls::clearFresh() { m_fresh->setChecked(false); }
void JobControls::setStatus(const QString& text) { m_status->setText(text); }
QString JobControls::status() const { return m_status->text(); }
void JobControls::log(const QString& line) { m_log->appendPlainText(line); }
QString JobControls::logText() const { return m_log->toPlainText(); }

}  // namespace automoe::widgets
