#pragma once
// The controls of a panel that runs a core job (training, search): a start and a stop button,
// "Start over" and "Synthetic corpus" boxes, room for the panel's own widgets after them, a status
// line below, and a log the panel places where it likes (logView()). Start is enabled while
// nothing runs (and nothing blocks it), stop while something does; a stop request disables stop
// until the job ends.
#include <QString>
#include <QWidget>

class QCheckBox;
class QHBoxLayout;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace automoe::widgets {

class JobControls : public QWidget {
  Q_OBJECT

 public:
  struct Texts {
    QString start;         // the start button: "Train", "Search"
    QString startTip;
    QString stopTip;
    QString freshTip;      // what "Start over" replaces
    QString syntheticTip;  // what the synthetic corpus stands in for
  };

  // `prefix` names the children ("train" -> trainStart, trainStop, trainFresh, trainSynthetic,
  // trainStatus, trainLog), for tests and style sheets.
  JobControls(const QString& prefix, const Texts& texts, QWidget* parent);

  // Adds `widget` to the row, after the boxes.
  void addToRow(QWidget* widget);
  void setRunning(bool running);
  // While `reason` is not empty, start stays disabled, with `reason` as its tool tip (another job
  // needs the machine to itself); "" lifts it.
  void setBlocked(const QString& reason);
  QString blocked() const { return m_blocked; }
  // After a stop request: stop is disabled until setRunning(false).
  void stopping();
  bool fresh() const;
  bool synthetic() const;
  // Unticks "Start over" (a second start continues the run just started).
  void clearFresh();

  void setStatus(const QString& text);
  QString status() const;
  void log(const QString& line);
  QString logText() const;
  QPlainTextEdit* logView() const { return m_log; }

  QPushButton* startButton() const { return m_start; }
  QPushButton* stopButton() const { return m_stop; }
  QCheckBox* freshBox() const { return m_fresh; }
  QCheckBox* syntheticBox() const { return m_synthetic; }

 Q_SIGNALS:
  void startClicked();
  void stopClicked();

 private:
  QPushButton* m_start;
  QPushButton* m_stop;
  QCheckBox* m_fresh;
  QCheckBox* m_synthetic;
  QHBoxLayout* m_row;
  QLabel* m_status;
  QPlainTextEdit* m_log;
  QString m_startTip;
  QString m_blocked;
  bool m_running = false;
};

}  // namespace automoe::widgets
