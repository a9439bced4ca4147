#include "train/expert_load_view.h"

#include <QPainter>
#include <algorithm>

#include "arch/arch_view_painter.h"

namespace automoe::widgets {

namespace {

QColor mix(const QColor& a, const QColor& b, double t) {
  return QColor::fromRgbF(static_cast<float>(a.redF() + (b.redF() - a.redF()) * t),
                          static_cast<float>(a.greenF() + (b.greenF() - a.greenF()) * t),
                          static_cast<float>(a.blueF() + (b.blueF() - a.blueF()) * t));
}

}  // namespace

ExpertLoadView::ExpertLoadView(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("expertLoadView"));
  setToolTip(tr("Share of each layer's tokens routed to each expert in the latest update"));
}

void ExpertLoadView::setLoad(qint64 step, const std::vector<std::vector<double>>& load, qint64 encoderRows,
                             const QString& arch) {
  m_step = step;
  m_load = load;
  const qint64 rows = static_cast<qint64>(load.size());
  const bool known = encoderRows >= 0;
  m_encoderRows = known ? std::min(encoderRows, rows) : rows;
  m_arch = arch;
  m_labels.clear();
  for (qint64 i = 0; i < rows; ++i)
    m_labels << (!known                ? QStringLiteral("L%1").arg(i)
                 : i < m_encoderRows ? QStringLiteral("E%1").arg(i)
                                     : QStringLiteral("D%1").arg(i - m_encoderRows));
  update();
}

void ExpertLoadView::clear() { setLoad(-1, {}, 0, QString()); }

QColor ExpertLoadView::cellColor(double share, bool decoder) const {
  return mix(palette().color(QPalette::Base), ArchViewPainter::stackColor(palette(), decoder),
             std::clamp(share, 0.0, 1.0));
}

std::vector<double> ExpertLoadView::imbalance() const {
  std::vector<double> out;
  for (const auto& row : m_load)
    out.push_back(row.empty() ? 0.0 : *std::max_element(row.begin(), row.end()) * static_cast<double>(row.size()));
  return out;
}

void ExpertLoadView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing, false);
  const QPalette pal = palette();
  p.fillRect(rect(), pal.color(QPalette::Base));
  p.setPen(pal.color(QPalette::Text));
  const int line = fontMetrics().lineSpacing();
  if (m_load.empty()) {
    p.drawText(rect(), Qt::AlignCenter, tr("expert load: no update yet"));
    return;
  }
  p.drawText(QRect(4, 2, width() - 8, line), Qt::AlignLeft | Qt::AlignVCenter,
             tr("expert load, update %1").arg(m_step));
  size_t widest = 1;
  for (const auto& row : m_load) widest = std::max(widest, row.size());
  const int labelW = fontMetrics().horizontalAdvance(QStringLiteral("D00")) + 8;
  const int top = line + 6, rows = static_cast<int>(m_load.size());
  const double cellW = std::max(8.0, (width() - labelW - 6.0) / static_cast<double>(widest));
  const double cellH = std::clamp((height() - top - 4.0) / rows, 6.0, 2.2 * line);
  const QColor grid = pal.color(QPalette::Mid);
  for (int r = 0; r < rows; ++r) {
    const bool decoder = r >= m_encoderRows;
    const double y = top + r * cellH;
    p.setPen(pal.color(QPalette::Text));
    p.drawText(QRectF(2, y, labelW - 6, cellH), Qt::AlignRight | Qt::AlignVCenter, m_labels[r]);
    const auto& row = m_load[static_cast<size_t>(r)];
    for (size_t e = 0; e < row.size(); ++e) {
      const QRectF cell(labelW + e * cellW, y, cellW - 1, cellH - 1);
      const QColor fill = cellColor(row[e], decoder);
      p.fillRect(cell, fill);
      p.setPen(grid);
      p.drawRect(cell);
      if (cellH >= line * 0.9 && cellW >= fontMetrics().horizontalAdvance(QStringLiteral("100%")) + 4) {
        p.setPen(fill.lightnessF() < 0.5 ? QColor(Qt::white) : QColor(Qt::black));
        p.drawText(cell, Qt::AlignCenter, QStringLiteral("%1%").arg(qRound(row[e] * 100)));
      }
    }
  }
}

}  // namespace automoe::widgets
