#pragma once
// Paints an ArchViewLayout: column headers, layer boxes (heads, enc-dec attention, router, expert
// blocks), enc-dec attention links and a legend. Colours come from the palette, so dark themes
// work; nothing here decides geometry.
#include <QColor>
#include <QPalette>
#include <QString>

class QPainter;

namespace automoe {
struct ArchConfig;
struct LayerArch;
struct ModelOptions;
struct StackArch;
}  // namespace automoe

namespace automoe::widgets {

class ArchViewLayout;

class ArchViewPainter {
 public:
  ArchViewPainter(QPainter& painter, const QPalette& palette);

  // With `model`, routed layers also name the options their layer_routing rules give them
  // (ModelOptions::routingNote).
  void paint(const ArchViewLayout& layout, const ArchConfig& arch, const ModelOptions* model = nullptr);

  // "3072", or "3k"/"1.5k" when the full number does not fit in `width` pixels; empty when neither
  // fits. Dense layers try "dense 3072" first.
  static QString expertLabel(int ffnDim, double width, const QPainter& painter, bool dense = false);
  // Fill of the MoE experts of a stack: the palette's highlight for the encoder, its complementary
  // hue for the decoder (shared with the per-layer FLOPs chart).
  static QColor stackColor(const QPalette& palette, bool decoder);

 private:
  void paintHeader(const QRectF& rect, const QString& title, const StackArch& stack);
  void paintLayerBox(const ArchViewLayout& layout, int boxIndex, const LayerArch& layer,
                     int encoderLayers, const QString& note);
  void paintAttention(const QRectF& rect, const LayerArch& layer, bool decoder, int encoderLayers);
  double paintHeadDots(double x, double cy, int heads, const QColor& color);
  void paintExperts(const ArchViewLayout& layout, const LayerArch& layer, bool decoder, int index);
  void paintLinks(const ArchViewLayout& layout);
  void paintLegend(const QRectF& rect);

  QColor expertColor(bool decoder) const { return stackColor(m_pal, decoder); }
  QColor denseColor() const;
  QColor linkColor() const;

  QPainter& m_p;
  QPalette m_pal;
};

}  // namespace automoe::widgets
