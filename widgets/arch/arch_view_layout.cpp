#include "arch/arch_view_layout.h"

#include <algorithm>

#include "arch/arch_config.h"
#include "arch/search_space.h"

namespace automoe::widgets {

namespace {

int maxFfnDim(const ArchConfig& arch, const SearchSpace& space) {
  int m = std::max({1, space.encoder.maxFfnDim(), space.decoder.maxFfnDim()});
  for (const StackArch* s : {&arch.encoder, &arch.decoder})
    for (const LayerArch& l : s->layers)
      for (int d : l.expertFfnDims) m = std::max(m, d);
  return m;
}

int maxExperts(const ArchConfig& arch, const SearchSpace& space) {
  int m = std::max({1, space.encoder.maxExperts(), space.decoder.maxExperts()});
  for (const StackArch* s : {&arch.encoder, &arch.decoder})
    for (const LayerArch& l : s->layers) m = std::max(m, l.numExperts());
  return m;
}

double minimumBoxHeight(double lineH) { return 2 * 6.0 + 2 * lineH + 2 + 4 + lineH + 8; }

}  // namespace

QSizeF ArchViewLayout::minimumSize(const SearchSpace& space, const QFontMetricsF& fm) {
  const double lineH = fm.height();
  int heads = 1;
  for (const auto* v : {&space.encoder.heads, &space.decoder.heads, &space.decoder.endeHeads})
    for (int h : *v) heads = std::max(heads, std::min(h, 16));
  const double dotStep = lineH * 0.5 + 2;
  const double title =
      fm.horizontalAdvance(QStringLiteral("L00   MoE · 6 experts · top-2 · softmax_topk"));
  const double attn = fm.horizontalAdvance(QStringLiteral("self 16h  cross 16h  ← enc L10–L12")) +
                      2 * heads * dotStep + 16;
  const double column = std::max(title, attn) + 2 * kPad;
  const int rows = std::max({1, space.encoder.maxLayers(), space.decoder.maxLayers()});
  const double height = 2 * kMargin + (2 * lineH + 12) + rows * minimumBoxHeight(lineH) +
                        (rows - 1) * kRowGap + (lineH + 12);
  return {2 * kMargin + 2 * column + 80, height};
}

ArchViewLayout ArchViewLayout::compute(const ArchConfig& arch, const SearchSpace& space,
                                       const QRectF& area, const QFontMetricsF& fm) {
  ArchViewLayout out;
  const double lineH = fm.height();
  const QRectF inner = area.adjusted(kMargin, kMargin, -kMargin, -kMargin);
  const double linkGap = std::clamp(inner.width() * 0.09, 56.0, 150.0);
  const double colW = std::max(40.0, (inner.width() - linkGap) / 2);
  const double headerH = 2 * lineH + 12;
  const double legendH = lineH + 12;

  const int encL = arch.encoder.numLayers();
  const int decL = arch.decoder.numLayers();
  const int rows = std::max({1, encL, decL});
  const double minBox = minimumBoxHeight(lineH);
  const double maxBox = minBox + 5 * lineH;
  const double avail = inner.height() - headerH - legendH;
  const double boxH = std::clamp((avail - (rows - 1) * kRowGap) / rows, 8.0, maxBox);
  const double stackH = rows * boxH + (rows - 1) * kRowGap;
  const double top = inner.top() + std::max(0.0, (avail - stackH) / 2);

  out.encoderColumn = QRectF(inner.left(), top + headerH, colW, stackH);
  out.decoderColumn = QRectF(inner.right() - colW, top + headerH, colW, stackH);
  out.legend = QRectF(inner.left(), out.encoderColumn.bottom() + 4, inner.width(), legendH - 4);

  const int maxExp = maxExperts(arch, space);
  const int maxFfn = maxFfnDim(arch, space);
  const double stackBottom = out.encoderColumn.bottom();
  auto place = [&](const StackArch& stack, bool decoder) {
    const double x = decoder ? out.decoderColumn.left() : out.encoderColumn.left();
    for (int i = 0; i < stack.numLayers(); ++i) {
      const LayerArch& l = stack.layers[i];
      LayerBox b;
      b.decoder = decoder;
      b.layer = i;
      b.rect = QRectF(x, stackBottom - (i + 1) * boxH - i * kRowGap, colW, boxH);
      const QRectF body = b.rect.adjusted(kPad, kPad, -kPad, -kPad);
      b.titleRect = QRectF(body.left(), body.top(), body.width(), lineH);
      b.attnRect = QRectF(body.left(), b.titleRect.bottom() + 2, body.width(), lineH);
      const double rowTop = b.attnRect.bottom() + 4;
      const QRectF row(body.left(), rowTop, body.width(), std::max(4.0, body.bottom() - rowTop));
      const double routerW = std::min(lineH * 1.2, row.width() * 0.1);
      if (l.numExperts() > 1) b.routerRect = QRectF(row.left(), row.top(), routerW, row.height());
      b.expertArea = row.adjusted(routerW + 4, 0, 0, 0);
      const double slotW =
          std::max(1.0, (b.expertArea.width() - (maxExp - 1) * kExpertGap) / maxExp);
      double ex = b.expertArea.left();
      for (int e = 0; e < l.numExperts(); ++e) {
        const int dim = l.expertFfnDims[e];
        const double w = std::max(2.0, slotW * std::max(0, dim) / maxFfn);
        out.experts.push_back({QRectF(ex, row.top(), w, row.height()), decoder, i, e, dim});
        ex += w + kExpertGap;
      }
      out.layers.push_back(b);
    }
  };
  place(arch.encoder, false);
  place(arch.decoder, true);
  // Each header sits right above its own stack's top layer (the stacks grow from the bottom).
  auto headerAbove = [&](int layersInStack, const QRectF& column) {
    const double y = stackBottom - layersInStack * boxH - std::max(0, layersInStack - 1) * kRowGap;
    return QRectF(column.left(), y - headerH, colW, headerH);
  };
  out.encoderHeader = headerAbove(encL, out.encoderColumn);
  out.decoderHeader = headerAbove(decL, out.decoderColumn);

  for (const LayerBox& d : out.layers) {
    if (!d.decoder || encL == 0) continue;
    const int k = std::min(arch.decoder.layers[d.layer].endeSourceLayers(), encL);
    for (int e = encL - k; e < encL; ++e) {
      const QRectF& enc = out.layers[e].rect;  // encoder boxes come first, in layer order
      const double t = 0.25 + 0.5 * (d.layer + 0.5) / std::max(1, decL);
      out.endeLinks.push_back({d.layer, e, QPointF(d.rect.left(), d.attnRect.center().y()),
                               QPointF(enc.right(), enc.top() + t * enc.height())});
    }
  }
  return out;
}

}  // namespace automoe::widgets
