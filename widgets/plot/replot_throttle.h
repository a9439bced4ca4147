#pragma once
// Coalesces redraw requests so that a plot redraws at most once per interval (20 per second by
// default), however often its data changes: leading edge (at once when the last redraw is old
// enough), then one trailing redraw for everything that arrived in between.
#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <functional>

namespace automoe::widgets {

class ReplotThrottle : public QObject {
  Q_OBJECT

 public:
  static constexpr int kDefaultIntervalMs = 50;  // <= 20 replots per second

  ReplotThrottle(std::function<void()> replot, QObject* parent, int intervalMs = kDefaultIntervalMs);

  void request();
  int intervalMs() const { return m_intervalMs; }
  int replots() const { return m_replots; }
  bool pending() const { return m_timer.isActive(); }

 private:
  void replotNow();

  std::function<void()> m_replot;
  int m_intervalMs;
  QTimer m_timer;
  QElapsedTimer m_last;
  int m_replots = 0;
};

}  // namespace automoe::widgets
