#pragma once
// Geometry of the architecture diagram, computed from an ArchConfig, its search space, a target
// rectangle and the font. Kept apart from painting so that tests can check what would be drawn
// (one block per expert, block width proportional to FFN dim, enc-dec links) without pixels.
#include <QFontMetricsF>
#include <QPointF>
#include <QRectF>
#include <QSizeF>
#include <QVector>

namespace automoe {
struct ArchConfig;
struct SearchSpace;
}  // namespace automoe

namespace automoe::widgets {

class ArchViewLayout {
 public:
  struct ExpertBlock {
    QRectF rect;
    bool decoder = false;
    int layer = 0;
    int expert = 0;
    int ffnDim = 0;
  };
  struct LayerBox {
    QRectF rect;        // the whole layer
    QRectF titleRect;   // "L2" and the FFN kind (dense / MoE, top-k, router)
    QRectF attnRect;    // self-attention heads (and, for the decoder, enc-dec heads)
    QRectF routerRect;  // router marker, left of the experts (empty for dense layers)
    QRectF expertArea;  // where the expert blocks go
    bool decoder = false;
    int layer = 0;
  };
  // Enc-dec attention: decoder layer `decoderLayer` reads the output of encoder layer
  // `encoderLayer`. `from` lies on the decoder box, `to` on the encoder box.
  struct EndeLink {
    int decoderLayer = 0;
    int encoderLayer = 0;
    QPointF from;
    QPointF to;
  };

  static ArchViewLayout compute(const ArchConfig& arch, const SearchSpace& space,
                                const QRectF& area, const QFontMetricsF& fm);
  // Smallest comfortable size of a diagram for any subnet of `space`.
  static QSizeF minimumSize(const SearchSpace& space, const QFontMetricsF& fm);

  QRectF encoderHeader;
  QRectF decoderHeader;
  QRectF legend;
  QRectF encoderColumn;
  QRectF decoderColumn;
  QVector<LayerBox> layers;
  QVector<ExpertBlock> experts;
  QVector<EndeLink> endeLinks;

 private:
  static constexpr double kMargin = 12.0;
  static constexpr double kPad = 6.0;
  static constexpr double kRowGap = 10.0;
  static constexpr double kExpertGap = 4.0;
};

}  // namespace automoe::widgets
