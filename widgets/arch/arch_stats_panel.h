#pragma once
// Size and compute of the displayed subnet (closed form, core/arch/arch_stats.h): total, embedding
// and active parameters, sparsity, FLOPs of one sentence, plus a per-layer FLOPs bar chart.
#include <QString>
#include <QWidget>

class QLabel;

namespace automoe {
struct ArchStats;
}

namespace automoe::widgets {

class LayerFlopsPlot;

class ArchStatsPanel : public QWidget {
  Q_OBJECT

 public:
  explicit ArchStatsPanel(QWidget* parent = nullptr);

  void setStats(const ArchStats& stats);
  void clear();

  LayerFlopsPlot* flopsPlot() const { return m_plot; }
  // Text of one value label: "total", "embedding", "active", "sparsity" or "flops".
  QString valueText(const QString& key) const;

  // 1234567 -> "1.23 M"; 1.5e9 -> "1.50 G"; below 1000 the plain number.
  static QString formatCount(double value);

 private:
  QLabel* addValue(const QString& key);

  QLabel* m_total;
  QLabel* m_embedding;
  QLabel* m_active;
  QLabel* m_sparsity;
  QLabel* m_flops;
  LayerFlopsPlot* m_plot;
};

}  // namespace automoe::widgets
