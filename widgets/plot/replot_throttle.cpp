#include "plot/replot_throttle.h"

#include <utility>

namespace automoe::widgets {

ReplotThrottle::ReplotThrottle(std::function<void()> replot, QObject* parent, int intervalMs)
    : QObject(parent), m_replot(std::move(replot)), m_intervalMs(intervalMs) {
  m_timer.setSingleShot(true);
  m_timer.setTimerType(Qt::PreciseTimer);  // never fires early
  connect(&m_timer, &QTimer::timeout, this, &ReplotThrottle::replotNow);
}

void ReplotThrottle::request() {
  if (m_timer.isActive()) return;
  const qint64 since = m_last.isValid() ? m_last.elapsed() : m_intervalMs;
  if (since >= m_intervalMs)
    replotNow();
  else
    m_timer.start(static_cast<int>(m_intervalMs - since));
}

void ReplotThrottle::replotNow() {
  m_last.restart();
  ++m_replots;
  m_replot();
}

}  // namespace automoe::widgets
