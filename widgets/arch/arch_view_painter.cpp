#include "arch/arch_view_painter.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>

#include "arch/arch_config.h"
#include "arch/arch_view_layout.h"
#include "project/model_options.h"

namespace automoe::widgets {

namespace {

QColor mix(const QColor& a, const QColor& b, double t) {
  return QColor::fromRgbF(a.redF() + (b.redF() - a.redF()) * t,
                          a.greenF() + (b.greenF() - a.greenF()) * t,
                          a.blueF() + (b.blueF() - a.blueF()) * t);
}

QString kindText(const LayerArch& l, const QString& note) {
  if (l.numExperts() <= 1) return QStringLiteral("dense FFN");
  const QString text = QStringLiteral("MoE · %1 experts · top-%2 · %3")
                           .arg(l.numExperts())
                           .arg(l.effectiveTopK())
                           .arg(QString::fromStdString(l.router));
  return note.isEmpty() ? text : text + QStringLiteral(" · ") + note;
}

void drawDiamond(QPainter& p, const QRectF& r) {
  const QPointF c = r.center();
  const double h = std::min(r.width(), r.height()) / 2;
  const QPointF pts[4] = {
      {c.x(), c.y() - h}, {c.x() + h, c.y()}, {c.x(), c.y() + h}, {c.x() - h, c.y()}};
  p.drawPolygon(pts, 4);
}

}  // namespace

ArchViewPainter::ArchViewPainter(QPainter& painter, const QPalette& palette)
    : m_p(painter), m_pal(palette) {}

QColor ArchViewPainter::stackColor(const QPalette& palette, bool decoder) {
  const QColor enc = palette.color(QPalette::Highlight);
  if (!decoder) return enc;
  const QColor hsv = enc.toHsv();
  if (hsv.hsvHue() < 0 || hsv.hsvSaturation() < 40) return QColor(214, 120, 40);
  return QColor::fromHsv((hsv.hsvHue() + 180) % 360, hsv.hsvSaturation(), hsv.value());
}

QColor ArchViewPainter::denseColor() const {
  return mix(m_pal.color(QPalette::Base), m_pal.color(QPalette::Text), 0.18);
}
QColor ArchViewPainter::linkColor() const {
  return mix(m_pal.color(QPalette::Highlight), m_pal.color(QPalette::Text), 0.35);
}

QString ArchViewPainter::expertLabel(int ffnDim, double width, const QPainter& painter,
                                     bool dense) {
  const QFontMetricsF fm(painter.font());
  const QString full = QString::number(ffnDim);
  const QString withKind = QStringLiteral("dense ") + full;
  if (dense && fm.horizontalAdvance(withKind) + 8 <= width) return withKind;
  if (fm.horizontalAdvance(full) + 4 <= width) return full;
  const QString compact = ffnDim % 1024 == 0
                              ? QStringLiteral("%1k").arg(ffnDim / 1024)
                              : QStringLiteral("%1k").arg(ffnDim / 1024.0, 0, 'f', 1);
  if (fm.horizontalAdvance(compact) + 2 <= width) return compact;
  return {};
}

void ArchViewPainter::paint(const ArchViewLayout& layout, const ArchConfig& arch,
                            const ModelOptions* model) {
  m_p.setRenderHint(QPainter::Antialiasing);
  paintHeader(layout.encoderHeader, QStringLiteral("Encoder"), arch.encoder);
  paintHeader(layout.decoderHeader, QStringLiteral("Decoder"), arch.decoder);
  for (bool decoder : {false, true}) {  // a lane behind each stack's layers
    QRectF lane;
    for (const auto& b : layout.layers)
      if (b.decoder == decoder) lane = lane.united(b.rect);
    if (lane.isEmpty()) continue;
    m_p.setPen(Qt::NoPen);
    m_p.setBrush(m_pal.color(QPalette::AlternateBase));
    m_p.drawRoundedRect(lane.adjusted(-4, -4, 4, 4), 6, 6);
  }
  for (int i = 0; i < layout.layers.size(); ++i) {
    const auto& b = layout.layers[i];
    const StackArch& s = b.decoder ? arch.decoder : arch.encoder;
    paintLayerBox(layout, i, s.layers[b.layer], arch.encoder.numLayers(),
                  model ? QString::fromStdString(model->routingNote(b.decoder, b.layer)) : QString());
  }
  paintLinks(layout);
  paintLegend(layout.legend);
}

void ArchViewPainter::paintHeader(const QRectF& rect, const QString& title,
                                  const StackArch& stack) {
  QFont bold = m_p.font();
  const QFont normal = bold;
  bold.setBold(true);
  bold.setPointSizeF(normal.pointSizeF() * 1.15);
  const double lineH = QFontMetricsF(normal).height();
  int experts = 0;
  for (const LayerArch& l : stack.layers) experts += l.numExperts();
  m_p.setPen(m_pal.color(QPalette::WindowText));
  m_p.setFont(bold);
  m_p.drawText(QRectF(rect.left(), rect.top(), rect.width(), lineH + 2), Qt::AlignCenter, title);
  m_p.setFont(normal);
  const QString sub = QStringLiteral("d_model %1 · %2 layer%3 · %4 experts")
                          .arg(stack.embedDim)
                          .arg(stack.numLayers())
                          .arg(stack.numLayers() == 1 ? "" : "s")
                          .arg(experts);
  m_p.setPen(mix(m_pal.color(QPalette::WindowText), m_pal.color(QPalette::Window), 0.25));
  m_p.drawText(QRectF(rect.left(), rect.top() + lineH + 4, rect.width(), lineH), Qt::AlignCenter,
               sub);
}

void ArchViewPainter::paintLayerBox(const ArchViewLayout& layout, int boxIndex,
                                    const LayerArch& layer, int encoderLayers, const QString& note) {
  const auto& b = layout.layers[boxIndex];
  const QFontMetricsF fm(m_p.font());
  m_p.setPen(QPen(m_pal.color(QPalette::Mid), 1));
  m_p.setBrush(m_pal.color(QPalette::Base));
  m_p.drawRoundedRect(b.rect, 4, 4);

  QFont bold = m_p.font();
  const QFont normal = bold;
  bold.setBold(true);
  const QString index = QStringLiteral("L%1").arg(b.layer);
  m_p.setFont(bold);
  m_p.setPen(m_pal.color(QPalette::Text));
  m_p.drawText(b.titleRect, Qt::AlignLeft | Qt::AlignVCenter, index);
  const double indexW = QFontMetricsF(bold).horizontalAdvance(index) + 12;
  m_p.setFont(normal);
  const QRectF kindRect = b.titleRect.adjusted(indexW, 0, 0, 0);
  m_p.drawText(kindRect, Qt::AlignRight | Qt::AlignVCenter,
               fm.elidedText(kindText(layer, note), Qt::ElideRight, kindRect.width()));

  paintAttention(b.attnRect, layer, b.decoder, encoderLayers);
  if (!b.routerRect.isEmpty()) {
    m_p.setPen(QPen(m_pal.color(QPalette::Text), 1));
    m_p.setBrush(linkColor());
    drawDiamond(m_p, QRectF(b.routerRect.center() - QPointF(6, 6), QSizeF(12, 12)));
  }
  paintExperts(layout, layer, b.decoder, b.layer);
}

double ArchViewPainter::paintHeadDots(double x, double cy, int heads, const QColor& color) {
  const double d = QFontMetricsF(m_p.font()).height() * 0.42;
  if (heads > 16) return x;
  m_p.setPen(Qt::NoPen);
  m_p.setBrush(color);
  for (int h = 0; h < heads; ++h) m_p.drawEllipse(QRectF(x + h * (d + 2), cy - d / 2, d, d));
  return x + heads * (d + 2) + 6;
}

void ArchViewPainter::paintAttention(const QRectF& rect, const LayerArch& layer, bool decoder,
                                     int encoderLayers) {
  const QFontMetricsF fm(m_p.font());
  const QColor text = m_pal.color(QPalette::Text);
  const double cy = rect.center().y();
  auto label = [&](double x, const QString& s) {
    m_p.setPen(text);
    m_p.drawText(QRectF(x, rect.top(), fm.horizontalAdvance(s) + 2, rect.height()),
                 Qt::AlignLeft | Qt::AlignVCenter, s);
    return x + fm.horizontalAdvance(s) + 5;
  };
  double x = label(rect.left(), QStringLiteral("self %1h").arg(layer.heads));
  x = paintHeadDots(x, cy, layer.heads, mix(text, m_pal.color(QPalette::Base), 0.3));
  if (!decoder) return;
  x = label(x + 8, QStringLiteral("cross %1h").arg(layer.endeHeads));
  x = paintHeadDots(x, cy, layer.endeHeads, linkColor());
  const int k = std::min(layer.endeSourceLayers(), encoderLayers);
  if (k <= 0) return;
  const QString src =
      k == 1 ? QStringLiteral("← enc L%1").arg(encoderLayers - 1)
             : QStringLiteral("← enc L%1–L%2").arg(encoderLayers - k).arg(encoderLayers - 1);
  if (x + fm.horizontalAdvance(src) <= rect.right()) label(x, src);
}

void ArchViewPainter::paintExperts(const ArchViewLayout& layout, const LayerArch& layer,
                                   bool decoder, int index) {
  const bool dense = layer.numExperts() <= 1;
  const QFont normal = m_p.font();
  QFont small = normal;
  small.setPointSizeF(normal.pointSizeF() * 0.9);
  m_p.setFont(small);
  for (const auto& e : layout.experts) {
    if (e.decoder != decoder || e.layer != index) continue;
    if (dense) {
      m_p.setPen(QPen(m_pal.color(QPalette::Dark), 1, Qt::DashLine));
      m_p.setBrush(denseColor());
      m_p.drawRect(e.rect);
      m_p.setBrush(QBrush(mix(denseColor(), m_pal.color(QPalette::Text), 0.25), Qt::BDiagPattern));
      m_p.setPen(Qt::NoPen);
      m_p.drawRect(e.rect);
      m_p.setPen(m_pal.color(QPalette::Text));
    } else {
      m_p.setPen(QPen(expertColor(decoder).darker(130), 1));
      m_p.setBrush(expertColor(decoder));
      m_p.drawRoundedRect(e.rect, 3, 3);
      m_p.setPen(m_pal.color(QPalette::HighlightedText));
    }
    const QString text = expertLabel(e.ffnDim, e.rect.width(), m_p, dense);
    if (!text.isEmpty() && e.rect.height() >= QFontMetricsF(m_p.font()).height())
      m_p.drawText(e.rect, Qt::AlignCenter, text);
  }
  m_p.setFont(normal);
}

void ArchViewPainter::paintLinks(const ArchViewLayout& layout) {
  QColor c = linkColor();
  c.setAlphaF(0.75);
  for (const auto& l : layout.endeLinks) {
    const double dx = (l.from.x() - l.to.x()) * 0.5;
    QPainterPath path(l.to);
    path.cubicTo(l.to + QPointF(dx, 0), l.from - QPointF(dx, 0), l.from);
    m_p.setPen(QPen(c, 1.4));
    m_p.setBrush(Qt::NoBrush);
    m_p.drawPath(path);
    m_p.setPen(Qt::NoPen);
    m_p.setBrush(c);
    const QPointF tip = l.from;
    const QPointF arrow[3] = {tip, tip + QPointF(-7, -3.5), tip + QPointF(-7, 3.5)};
    m_p.drawPolygon(arrow, 3);
    m_p.drawEllipse(l.to, 2.5, 2.5);
  }
}

void ArchViewPainter::paintLegend(const QRectF& rect) {
  const QFontMetricsF fm(m_p.font());
  const double h = std::min(rect.height() - 2, fm.height());
  const double cy = rect.center().y();
  const QColor text = m_pal.color(QPalette::WindowText);
  double x = rect.left();
  // One legend item: a swatch of width `w` drawn by `swatch`, then a caption. Items that would
  // not fit are left out.
  auto item = [&](double w, const QString& caption, const auto& swatch) {
    const double total = w + 6 + fm.horizontalAdvance(caption);
    if (x + total > rect.right()) return;
    swatch(QRectF(x, cy - h / 2, w, h));
    m_p.setPen(text);
    m_p.drawText(QRectF(x + w + 6, rect.top(), total - w, rect.height()),
                 Qt::AlignLeft | Qt::AlignVCenter, caption);
    x += total + 18;
  };
  item(2 * h, QStringLiteral("encoder / decoder expert (width ∝ FFN dim)"), [&](QRectF r) {
    for (bool dec : {false, true}) {
      m_p.setPen(QPen(expertColor(dec).darker(130), 1));
      m_p.setBrush(expertColor(dec));
      m_p.drawRoundedRect(QRectF(r.left() + (dec ? h : 0), r.top(), h - 1, h), 3, 3);
    }
  });
  item(2 * h, QStringLiteral("dense FFN"), [&](QRectF r) {
    m_p.setPen(QPen(m_pal.color(QPalette::Dark), 1, Qt::DashLine));
    m_p.setBrush(QBrush(mix(denseColor(), m_pal.color(QPalette::Text), 0.25), Qt::BDiagPattern));
    m_p.drawRect(r);
  });
  item(12, QStringLiteral("router"), [&](QRectF r) {
    m_p.setPen(QPen(m_pal.color(QPalette::Text), 1));
    m_p.setBrush(linkColor());
    drawDiamond(m_p, QRectF(r.left(), cy - 6, 12, 12));
  });
  item(h * 1.6, QStringLiteral("heads"), [&](QRectF r) {
    paintHeadDots(r.left(), cy, 3, mix(text, m_pal.color(QPalette::Window), 0.3));
  });
  item(2 * h, QStringLiteral("enc-dec attention"), [&](QRectF r) {
    m_p.setPen(QPen(linkColor(), 1.4));
    m_p.drawLine(QPointF(r.left(), cy), QPointF(r.right(), cy));
  });
  const QString order = QStringLiteral("layer 0 at the bottom ↑");
  if (x + fm.horizontalAdvance(order) < rect.right()) {
    m_p.setPen(text);
    m_p.drawText(rect, Qt::AlignRight | Qt::AlignVCenter, order);
  }
}

}  // namespace automoe::widgets
