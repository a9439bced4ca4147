// ArchViewWidget: renders a sampled subnet off-screen to a non-blank PNG, and its layout draws one
// block per expert, widths proportional to FFN dim, router markers only on MoE layers, and enc-dec
// attention links clamped to the encoder depth.
#include <QDir>
#include <QImage>
#include <QSet>
#include <QtTest/QtTest>

#include "arch/arch_config.h"
#include "arch/arch_view_painter.h"
#include "arch/arch_view_widget.h"
#include "arch/search_space.h"
#include "project/project.h"
#include "util/json_reader.h"

using namespace automoe;
using automoe::widgets::ArchViewLayout;
using automoe::widgets::ArchViewPainter;
using automoe::widgets::ArchViewWidget;

namespace {

Project demo() { return Project::load(AUTOMOE_SOURCE_DIR "/projects/demo/project.json"); }

LayerArch layer(std::vector<int> ffn, int arbitrary = -1) {
  LayerArch l;
  l.heads = 4;
  l.endeHeads = 2;
  l.arbitraryEndeAttn = arbitrary;
  l.expertFfnDims = std::move(ffn);
  return l;
}

int expertCount(const ArchConfig& a) {
  int n = 0;
  for (const auto* s : {&a.encoder, &a.decoder})
    for (const auto& l : s->layers) n += l.numExperts();
  return n;
}

bool near(const QColor& a, const QColor& b, int tol) {
  return std::abs(a.red() - b.red()) <= tol && std::abs(a.green() - b.green()) <= tol &&
         std::abs(a.blue() - b.blue()) <= tol;
}

}  // namespace

class TestArchViewWidget final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void rendersNonBlankPng() {
    const Project p = demo();
    ArchViewWidget w;
    w.resize(1000, 640);
    w.setArch(p.space.sample(p.seed), p.space);
    const QString file = QDir(QDir::tempPath()).filePath(QStringLiteral("automoe_arch_view.png"));
    QVERIFY(w.grab().save(file, "PNG"));
    QImage img;
    QVERIFY(img.load(file));
    QCOMPARE(img.size(), QSize(1000, 640));
    const QRgb background = img.pixel(1, 1);
    QSet<QRgb> colours;
    qint64 foreground = 0;
    for (int y = 0; y < img.height(); ++y)
      for (int x = 0; x < img.width(); ++x) {
        colours.insert(img.pixel(x, y));
        foreground += img.pixel(x, y) != background;
      }
    QVERIFY2(colours.size() > 50, qPrintable(QString::number(colours.size())));
    const double fraction = double(foreground) / (img.width() * img.height());
    QVERIFY2(fraction > 0.25, qPrintable(QString::number(fraction)));
  }

  void expertBlocksArePaintedInTheStackColour() {
    const Project p = demo();
    ArchConfig a = p.space.largest();
    ArchViewWidget w;
    w.resize(1000, 640);
    w.setArch(a, p.space);
    const QImage img = w.grab().toImage();
    const QColor highlight = w.palette().color(QPalette::Highlight);
    QCOMPARE(ArchViewPainter::stackColor(w.palette(), false), highlight);
    QVERIFY(!near(ArchViewPainter::stackColor(w.palette(), true), highlight, 40));
    const auto& layout = w.diagramLayout();
    QCOMPARE(layout.experts.size(), expertCount(a));
    for (const auto& e : layout.experts) {
      const QPoint probe(qRound(e.rect.center().x()), qRound(e.rect.top() + 2.5));
      const QColor expected = ArchViewPainter::stackColor(w.palette(), e.decoder);
      QVERIFY2(near(img.pixelColor(probe), expected, 12),
               qPrintable(img.pixelColor(probe).name() + " at " + QString::number(probe.x())));
    }
  }

  void oneBlockPerExpertInsideItsLayer() {
    const Project p = demo();
    ArchViewWidget w;
    w.resize(900, 600);
    for (uint64_t seed = 0; seed < 40; ++seed) {
      const ArchConfig a = p.space.sample(seed);
      w.setArch(a, p.space);
      QCOMPARE(w.expertBlockRects().size(), expertCount(a));
      const auto& layout = w.diagramLayout();
      QCOMPARE(layout.layers.size(), a.encoder.numLayers() + a.decoder.numLayers());
      for (const auto& e : layout.experts) {
        const auto& box = layout.layers[e.decoder ? a.encoder.numLayers() + e.layer : e.layer];
        QCOMPARE(box.decoder, e.decoder);
        QVERIFY(box.expertArea.adjusted(-0.5, -0.5, 0.5, 0.5).contains(e.rect));
        QVERIFY(QRectF(w.rect()).contains(box.rect));
        const LayerArch& l = (e.decoder ? a.decoder : a.encoder).layers[e.layer];
        QCOMPARE(e.ffnDim, l.expertFfnDims[e.expert]);
      }
      for (int i = 1; i < layout.experts.size(); ++i) {
        const auto& prev = layout.experts[i - 1];
        const auto& cur = layout.experts[i];
        if (prev.decoder == cur.decoder && prev.layer == cur.layer)
          QVERIFY(cur.rect.left() >= prev.rect.right());  // no overlap, left to right
      }
    }
  }

  void blockWidthProportionalToFfnDim() {
    const Project p = demo();
    ArchConfig a;
    a.encoder.layers = {layer({512, 256, 128}), layer({128})};
    a.decoder.layers = {layer({256, 512})};
    ArchViewWidget w;
    w.resize(1000, 500);
    w.setArch(a, p.space);
    const auto& ex = w.diagramLayout().experts;
    QCOMPARE(ex.size(), 6);
    QVERIFY(ex[0].rect.width() > ex[1].rect.width());
    QVERIFY(ex[1].rect.width() > ex[2].rect.width());
    QVERIFY(qAbs(ex[0].rect.width() / ex[2].rect.width() - 4.0) < 0.05);
    QVERIFY(qAbs(ex[2].rect.width() - ex[3].rect.width()) < 0.01);  // same dim, same width
    QVERIFY(qAbs(ex[4].rect.width() - ex[1].rect.width()) < 0.01);  // across stacks too
  }

  void denseLayersHaveNoRouter() {
    const Project p = demo();
    ArchConfig a;
    a.encoder.layers = {layer({512}), layer({256, 128})};
    a.decoder.layers = {layer({128, 128, 128, 128})};
    ArchViewWidget w;
    w.resize(900, 500);
    w.setArch(a, p.space);
    const auto& boxes = w.diagramLayout().layers;
    QVERIFY(boxes[0].routerRect.isEmpty());
    QVERIFY(!boxes[1].routerRect.isEmpty());
    QVERIFY(!boxes[2].routerRect.isEmpty());
  }

  void routedLayersShowTheirLayerRoutingOptions() {
    Project p = demo();
    auto j = p.model.toJson();
    j["expert_output_masking"] = {{"eom", 0.1}};
    j["layer_routing"] = {{{"stack", "decoder"}, {"layers", {0}}, {"cmr", {{"enabled", true}}}, {"expert_output_masking", {{"fom", 0.2}}}}};
    const ModelOptions m = ModelOptions::fromJson(JsonReader(j, "test", "model"));
    QCOMPARE(QString::fromStdString(m.routingNote(true, 0)), QStringLiteral("CMR · EoM 0.1 · FoM 0.2"));
    QCOMPARE(QString::fromStdString(m.routingNote(true, 1)), QStringLiteral("EoM 0.1"));
    QCOMPARE(p.model.routingNote(false, 0), std::string());

    ArchConfig a;
    a.encoder.layers = {layer({256, 128})};
    a.decoder.layers = {layer({128, 128}), layer({128, 128})};
    ArchViewWidget w;
    w.resize(1400, 500);
    w.setArch(a, p.space);
    const QImage plain = w.grab().toImage();
    w.setModelOptions(m);
    const QImage noted = w.grab().toImage();
    QCOMPARE(plain.size(), noted.size());
    // Only the title rows of the routed layers change, the decoder's first layer the most.
    QVector<int> changed(3, 0);
    const auto& boxes = w.diagramLayout().layers;
    for (int y = 0; y < plain.height(); ++y)
      for (int x = 0; x < plain.width(); ++x) {
        if (plain.pixel(x, y) == noted.pixel(x, y)) continue;
        int box = -1;
        for (int i = 0; i < boxes.size(); ++i)
          if (boxes[i].titleRect.contains(QPointF(x + 0.5, y + 0.5))) box = i;
        QVERIFY2(box >= 0, qPrintable(QString("pixel %1,%2 changed outside a title").arg(x).arg(y)));
        ++changed[box];
      }
    auto boxOf = [&](bool decoder, int l) {
      for (int i = 0; i < boxes.size(); ++i)
        if (boxes[i].decoder == decoder && boxes[i].layer == l) return i;
      return -1;
    };
    QVERIFY(changed[boxOf(false, 0)] > 0 && changed[boxOf(true, 1)] > 0);
    QVERIFY(changed[boxOf(true, 0)] > changed[boxOf(true, 1)]);
  }

  void endeLinksFollowArbitraryAttentionClamped() {
    const Project p = demo();
    ArchConfig a;
    a.encoder.layers = {layer({128}), layer({128})};
    a.decoder.layers = {layer({128}, -1), layer({128}, 1), layer({128}, 2)};
    ArchViewWidget w;
    w.resize(900, 600);
    w.setArch(a, p.space);
    QVector<QVector<int>> targets(3);
    for (const auto& l : w.diagramLayout().endeLinks) targets[l.decoderLayer] << l.encoderLayer;
    QCOMPARE(targets[0], QVector<int>({1}));     // -1: last encoder layer
    QCOMPARE(targets[1], QVector<int>({0, 1}));  // 1: last two
    QCOMPARE(targets[2], QVector<int>({0, 1}));  // 2: last three, clamped to a depth of 2
    for (const auto& l : w.diagramLayout().endeLinks) QVERIFY(l.from.x() > l.to.x());
  }

  void layer0AtTheBottomAndScalesWithSize() {
    const Project p = demo();
    const ArchConfig a = p.space.largest();
    ArchViewWidget w;
    w.setArch(a, p.space);
    w.resize(700, 450);
    const double small = w.diagramLayout().experts.front().rect.width();
    QVERIFY(w.diagramLayout().layers[0].rect.top() > w.diagramLayout().layers[1].rect.top());
    w.resize(1400, 900);
    const double large = w.diagramLayout().experts.front().rect.width();
    QVERIFY2(large > small * 1.5, qPrintable(QStringLiteral("%1 vs %2").arg(large).arg(small)));
    const QSize hint = w.sizeHint();
    QVERIFY(hint.width() >= 600 && hint.width() <= 1600);
    QVERIFY(hint.height() >= 300 && hint.height() <= 1200);
  }

  void followsADarkPalette() {
    const Project p = demo();
    ArchViewWidget w;
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(37, 37, 38));
    dark.setColor(QPalette::WindowText, QColor(230, 230, 230));
    dark.setColor(QPalette::Base, QColor(30, 30, 30));
    dark.setColor(QPalette::AlternateBase, QColor(45, 45, 48));
    dark.setColor(QPalette::Text, QColor(235, 235, 235));
    dark.setColor(QPalette::Mid, QColor(90, 90, 90));
    dark.setColor(QPalette::Dark, QColor(20, 20, 20));
    dark.setColor(QPalette::Highlight, QColor(38, 79, 120));
    dark.setColor(QPalette::HighlightedText, QColor(255, 255, 255));
    w.setPalette(dark);
    w.resize(1000, 640);
    w.setArch(p.space.sample(3), p.space);
    const QImage img = w.grab().toImage();
    img.save(QDir(QDir::tempPath()).filePath(QStringLiteral("automoe_arch_view_dark.png")));
    qint64 darkPixels = 0, light = 0;
    for (int y = 0; y < img.height(); ++y)
      for (int x = 0; x < img.width(); ++x) {
        const int v = img.pixelColor(x, y).value();
        darkPixels += v < 70;
        light += v > 200;
      }
    QVERIFY(darkPixels > img.width() * img.height() / 2);  // dark background and boxes
    QVERIFY(light > 2000);                                 // light text on it
  }

  void emptyWidgetPaintsPlaceholder() {
    ArchViewWidget w;
    w.resize(300, 200);
    QVERIFY(!w.hasArch());
    QVERIFY(w.expertBlockRects().isEmpty());
    QVERIFY(!w.grab().isNull());
  }
};

QTEST_MAIN(TestArchViewWidget)
#include "test_arch_view_widget.moc"
