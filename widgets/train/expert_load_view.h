#pragma once
// The expert load of the latest training update: a row per layer of its subnet (encoder layers
// E0.., then decoder layers D0..), a cell per expert holding its share of the layer's tokens,
// shaded from the background (no tokens) to the stack's colour (all of them) and labelled with
// its percentage where it fits. A dense layer shows one cell. Redraws coalesce through update().
#include <QString>
#include <QStringList>
#include <QWidget>
#include <vector>

namespace automoe::widgets {

class ExpertLoadView : public QWidget {
  Q_OBJECT

 public:
  explicit ExpertLoadView(QWidget* parent = nullptr);

  // `load`: per layer, each expert's share; the first `encoderRows` rows are encoder layers
  // (negative: not known; the rows are then labelled L0.. in the encoder's colour).
  void setLoad(qint64 step, const std::vector<std::vector<double>>& load, qint64 encoderRows, const QString& arch);
  void clear();

  QStringList rowLabels() const { return m_labels; }
  const std::vector<std::vector<double>>& load() const { return m_load; }
  // The fill of a cell with this share in a row of the encoder or the decoder.
  QColor cellColor(double share, bool decoder) const;
  // Per row, the largest share over the even split's (1 = balanced, n = one expert takes all).
  std::vector<double> imbalance() const;

  QSize sizeHint() const override { return {300, 220}; }
  QSize minimumSizeHint() const override { return {180, 120}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  qint64 m_step = -1;
  std::vector<std::vector<double>> m_load;
  qint64 m_encoderRows = 0;
  QStringList m_labels;
  QString m_arch;
};

}  // namespace automoe::widgets
