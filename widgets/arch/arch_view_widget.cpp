#include "arch/arch_view_widget.h"

#include <QEvent>
#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

#include "arch/arch_view_painter.h"

namespace automoe::widgets {

ArchViewWidget::ArchViewWidget(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("archView"));
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
  setBackgroundRole(QPalette::Window);
  setAutoFillBackground(true);
  setFocusPolicy(Qt::StrongFocus);
}

void ArchViewWidget::setArch(const ArchConfig& arch, const SearchSpace& space) {
  m_arch = arch;
  m_space = space;
  m_hasArch = true;
  m_layout.reset();
  updateGeometry();
  update();
  Q_EMIT archChanged();
}

void ArchViewWidget::setModelOptions(const ModelOptions& model) {
  m_model = model;
  update();
}

void ArchViewWidget::clear() {
  m_arch = ArchConfig{};
  m_hasArch = false;
  m_layout.reset();
  update();
  Q_EMIT archChanged();
}

const ArchViewLayout& ArchViewWidget::diagramLayout() const {
  // Keyed on the size too: a hidden widget gets its resize event only when shown.
  if (!m_layout || m_layoutSize != size()) {
    m_layoutSize = size();
    m_layout = m_hasArch
                   ? ArchViewLayout::compute(m_arch, m_space, QRectF(rect()), QFontMetricsF(font()))
                   : ArchViewLayout{};
  }
  return *m_layout;
}

QVector<QRectF> ArchViewWidget::expertBlockRects() const {
  QVector<QRectF> out;
  for (const auto& e : diagramLayout().experts) out.push_back(e.rect);
  return out;
}

QSize ArchViewWidget::sizeHint() const {
  const QSizeF s = ArchViewLayout::minimumSize(m_space, QFontMetricsF(font()));
  return QSize(qRound(s.width() * 1.15), qRound(s.height() * 1.3));
}

QSize ArchViewWidget::minimumSizeHint() const {
  const QFontMetricsF fm(font());
  return QSize(qRound(fm.averageCharWidth() * 60), qRound(fm.height() * 14));
}

void ArchViewWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  if (!m_hasArch) {
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(rect(), Qt::AlignCenter, tr("No architecture"));
    return;
  }
  ArchViewPainter(p, palette()).paint(diagramLayout(), m_arch, m_model ? &*m_model : nullptr);
}

void ArchViewWidget::resizeEvent(QResizeEvent* event) {
  m_layout.reset();
  QWidget::resizeEvent(event);
}

void ArchViewWidget::changeEvent(QEvent* event) {
  if (event->type() == QEvent::FontChange) {
    m_layout.reset();
    updateGeometry();
  }
  QWidget::changeEvent(event);
}

bool ArchViewWidget::event(QEvent* event) {
  if (event->type() == QEvent::ToolTip) {
    auto* help = static_cast<QHelpEvent*>(event);
    const QString tip = toolTipAt(help->pos());
    if (tip.isEmpty())
      QToolTip::hideText();
    else
      QToolTip::showText(help->globalPos(), tip, this);
    return true;
  }
  return QWidget::event(event);
}

QString ArchViewWidget::toolTipAt(const QPointF& pos) const {
  const ArchViewLayout& l = diagramLayout();
  for (const auto& e : l.experts) {
    if (!e.rect.contains(pos)) continue;
    const LayerArch& layer = (e.decoder ? m_arch.decoder : m_arch.encoder).layers[e.layer];
    const QString what = layer.numExperts() > 1 ? tr("expert %1").arg(e.expert) : tr("dense FFN");
    return tr("%1 layer %2, %3: FFN dim %4")
        .arg(e.decoder ? tr("Decoder") : tr("Encoder"))
        .arg(e.layer)
        .arg(what)
        .arg(e.ffnDim);
  }
  for (const auto& b : l.layers) {
    if (!b.rect.contains(pos)) continue;
    const LayerArch& layer = (b.decoder ? m_arch.decoder : m_arch.encoder).layers[b.layer];
    QString tip = tr("%1 layer %2: %3 self-attention heads")
                      .arg(b.decoder ? tr("Decoder") : tr("Encoder"))
                      .arg(b.layer)
                      .arg(layer.heads);
    if (b.decoder)
      tip += tr(", %1 enc-dec heads over the last %2 encoder layer(s)")
                 .arg(layer.endeHeads)
                 .arg(std::min(layer.endeSourceLayers(), m_arch.encoder.numLayers()));
    if (m_model && layer.numExperts() > 1) {
      const QString note = QString::fromStdString(m_model->routingNote(b.decoder, b.layer));
      if (!note.isEmpty()) tip += tr("; %1").arg(note);
    }
    return tip;
  }
  return {};
}

}  // namespace automoe::widgets
