#pragma once
// Bar chart of the FLOPs of every encoder and decoder layer of one subnet (QCustomPlot). Replots
// are coalesced by a timer so that the plot redraws at most 20 times per second.
#include <QElapsedTimer>
#include <QTimer>
#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPBars;

namespace automoe {
struct ArchStats;
}

namespace automoe::widgets {

class LayerFlopsPlot : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kMinReplotIntervalMs = 50;  // <= 20 replots per second

  explicit LayerFlopsPlot(QWidget* parent = nullptr);

  void setStats(const ArchStats& stats);

  QCustomPlot* plot() const { return m_plot; }
  // MFLOPs of each bar, encoder layers first.
  QVector<double> encoderValues() const { return m_encoder; }
  QVector<double> decoderValues() const { return m_decoder; }
  int replotCount() const { return m_replots; }

  QSize sizeHint() const override { return {320, 220}; }

 private:
  void requestReplot();
  void replotNow();
  void applyPalette();

  QCustomPlot* m_plot;
  QCPBars* m_encoderBars;
  QCPBars* m_decoderBars;
  QTimer m_replotTimer;
  QElapsedTimer m_lastReplot;
  QVector<double> m_encoder;
  QVector<double> m_decoder;
  int m_replots = 0;
};

}  // namespace automoe::widgets
