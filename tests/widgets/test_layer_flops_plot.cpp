// LayerFlopsPlot: one bar per layer with the layer's FLOPs, and replots throttled to <= 20/s.
#include <QElapsedTimer>
#include <QtTest/QtTest>

#include "arch/arch_config.h"
#include "arch/arch_stats.h"
#include "plot/layer_flops_plot.h"
#include "plot/replot_throttle.h"
#include "project/project.h"

using namespace automoe;
using automoe::widgets::LayerFlopsPlot;
using automoe::widgets::ReplotThrottle;

namespace {
ArchStats statsOf(uint64_t seed) {
  const Project p = Project::load(AUTOMOE_SOURCE_DIR "/projects/demo/project.json");
  return computeArchStats(p.space.sample(seed), p.space.qkvDim, p.model.vocabSize, 30, 30);
}
}  // namespace

class TestLayerFlopsPlot final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void oneBarPerLayer() {
    const ArchStats s = statsOf(5);
    LayerFlopsPlot plot;
    plot.setStats(s);
    QCOMPARE(plot.encoderValues().size(), static_cast<int>(s.encoderLayers.size()));
    QCOMPARE(plot.decoderValues().size(), static_cast<int>(s.decoderLayers.size()));
    for (size_t i = 0; i < s.encoderLayers.size(); ++i)
      QCOMPARE(plot.encoderValues()[int(i)], s.encoderLayers[i].flops / 1e6);
    QVERIFY(plot.replotCount() >= 1);
  }

  void burstOfUpdatesIsCoalesced() {
    std::vector<ArchStats> stats;
    for (uint64_t seed = 0; seed < 10; ++seed) stats.push_back(statsOf(seed));
    LayerFlopsPlot plot;
    plot.resize(400, 300);
    plot.setStats(stats[0]);
    QTest::qWait(2 * ReplotThrottle::kDefaultIntervalMs);
    const int before = plot.replotCount();
    for (int i = 0; i < 200; ++i) plot.setStats(stats[i % stats.size()]);
    QCOMPARE(plot.replotCount(), before + 1);  // leading edge only
    QTest::qWait(3 * ReplotThrottle::kDefaultIntervalMs);
    QCOMPARE(plot.replotCount(), before + 2);  // plus one trailing replot with the final data
    QCOMPARE(plot.encoderValues().size(), static_cast<int>(stats[199 % 10].encoderLayers.size()));
  }

  void atMostTwentyReplotsPerSecond() {
    const ArchStats a = statsOf(1), b = statsOf(2);
    LayerFlopsPlot plot;
    plot.resize(400, 300);
    QElapsedTimer clock;
    clock.start();
    int i = 0;
    while (clock.elapsed() < 600) {
      plot.setStats(++i % 2 ? a : b);
      QTest::qWait(2);
    }
    QTest::qWait(2 * ReplotThrottle::kDefaultIntervalMs);
    const double seconds = clock.elapsed() / 1000.0;
    QVERIFY2(plot.replotCount() <= 20 * seconds + 1,
             qPrintable(QString::number(plot.replotCount())));
    QVERIFY(plot.replotCount() >= 5);
  }
};

QTEST_MAIN(TestLayerFlopsPlot)
#include "test_layer_flops_plot.moc"
