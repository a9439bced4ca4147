#pragma once
// Bar chart of the FLOPs of every encoder and decoder layer of one subnet (QCustomPlot). Replots
// are throttled (ReplotThrottle: at most 20 per second).
#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPBars;

namespace automoe {
struct ArchStats;
}

namespace automoe::widgets {

class ReplotThrottle;

class LayerFlopsPlot : public QWidget {
  Q_OBJECT

 public:
  explicit LayerFlopsPlot(QWidget* parent = nullptr);

  void setStats(const ArchStats& stats);

  QCustomPlot* plot() const { return m_plot; }
  // MFLOPs of each bar, encoder layers first.
  QVector<double> encoderValues() const { return m_encoder; }
  QVector<double> decoderValues() const { return m_decoder; }
  int replotCount() const;

  QSize sizeHint() const override { return {320, 220}; }

 private:
  void applyPalette();

  QCustomPlot* m_plot;
  QCPBars* m_encoderBars;
  QCPBars* m_decoderBars;
  ReplotThrottle* m_throttle;
  QVector<double> m_encoder;
  QVector<double> m_decoder;
};

}  // namespace automoe::widgets
