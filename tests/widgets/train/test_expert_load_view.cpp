// ExpertLoadView: rows labelled E0.., D0.. after the encoder/decoder split, cells shaded from the
// background (no tokens) to the stack's colour (all tokens), monotonically in the share, the
// imbalance per row, and a painted grid in both stacks' colours.
#include <QImage>
#include <QtTest/QtTest>
#include <cmath>

#include "arch/arch_view_painter.h"
#include "train/expert_load_view.h"

using automoe::widgets::ArchViewPainter;
using automoe::widgets::ExpertLoadView;

namespace {

double distance(const QColor& a, const QColor& b) {
  return std::abs(a.redF() - b.redF()) + std::abs(a.greenF() - b.greenF()) + std::abs(a.blueF() - b.blueF());
}

int pixelsOf(const QImage& img, const QColor& c) {
  int n = 0;
  for (int y = 0; y < img.height(); ++y)
    for (int x = 0; x < img.width(); ++x) n += distance(img.pixelColor(x, y), c) < 0.02;
  return n;
}

}  // namespace

class TestExpertLoadView final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void rowsAreLabelledByStack() {
    ExpertLoadView v;
    v.setLoad(7, {{0.5, 0.5}, {1.0}, {0.2, 0.3, 0.5}}, 2, QStringLiteral("arch"));
    QCOMPARE(v.rowLabels(), (QStringList{QStringLiteral("E0"), QStringLiteral("E1"), QStringLiteral("D0")}));
    QCOMPARE(v.load().size(), size_t(3));
    v.setLoad(8, {{1.0}, {1.0}}, 5, QString());  // more encoder rows than rows: all encoder
    QCOMPARE(v.rowLabels(), (QStringList{QStringLiteral("E0"), QStringLiteral("E1")}));
    v.setLoad(9, {{1.0}, {0.5, 0.5}}, -1, QString());  // split not known (an older metrics log)
    QCOMPARE(v.rowLabels(), (QStringList{QStringLiteral("L0"), QStringLiteral("L1")}));
    v.clear();
    QVERIFY(v.rowLabels().isEmpty() && v.load().empty());
  }

  void shadeGrowsWithTheShare() {
    ExpertLoadView v;
    const QColor base = v.palette().color(QPalette::Base);
    for (bool decoder : {false, true}) {
      const QColor full = ArchViewPainter::stackColor(v.palette(), decoder);
      QVERIFY(distance(v.cellColor(0.0, decoder), base) < 0.01);
      QVERIFY(distance(v.cellColor(1.0, decoder), full) < 0.01);
      double last = -1;
      for (double share = 0; share <= 1.0001; share += 0.1) {
        const double d = distance(v.cellColor(share, decoder), base);
        QVERIFY2(d > last, qPrintable(QString::number(share)));
        last = d;
      }
    }
  }

  void imbalanceIsTheBusiestOverAnEvenShare() {
    ExpertLoadView v;
    v.setLoad(1, {{0.5, 0.5}, {1.0, 0.0, 0.0}, {1.0}, {0.1, 0.2, 0.3, 0.4}}, 4, QString());
    const std::vector<double> im = v.imbalance();
    QCOMPARE(im.size(), size_t(4));
    QCOMPARE(im[0], 1.0);
    QCOMPARE(im[1], 3.0);
    QCOMPARE(im[2], 1.0);
    QVERIFY(std::abs(im[3] - 1.6) < 1e-12);
  }

  void paintsBothStacks() {
    ExpertLoadView v;
    v.resize(300, 200);
    QVERIFY(!v.grab().isNull());  // nothing to show yet: paints its note without failing
    v.setLoad(3, {{1.0, 0.0}, {0.0, 1.0}}, 1, QString());
    const QImage img = v.grab().toImage();
    QVERIFY(pixelsOf(img, ArchViewPainter::stackColor(v.palette(), false)) > 200);
    QVERIFY(pixelsOf(img, ArchViewPainter::stackColor(v.palette(), true)) > 200);
  }
};

QTEST_MAIN(TestExpertLoadView)
#include "test_expert_load_view.moc"
