// LatencyPanel: the profile box lists the project's profiles (the search's first); Measure fills
// the FLOPs plot live, one point per subnet, and the status counts the stored samples; Train
// predictor fills the fit plot (training and held-out rows, y = x) and reports the held-out
// Kendall tau; another profile shows its own (empty) results; a blocked panel does not measure and
// says why; a stop keeps the samples; a damaged dataset is reported, not fatal.
#include <QComboBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <filesystem>

#include "latency/latency_panel.h"
#include "latency/latency_runner.h"
#include "plot/scatter_plot.h"
#include "support/tiny_project.h"
#include "util/atomic_file.h"

using namespace automoe;
using automoe::widgets::LatencyPanel;
using automoe::widgets::LatencyRunner;

class TestLatencyPanel final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void measureThenTrain() {
    QTemporaryDir dir;
    Project p = test::tinyLatencyProjectIn(dir.path().toStdString());
    p.search.profile = "other";
    LatencyPanel panel(p);
    QCOMPARE(panel.profileBox()->count(), 2);
    QCOMPARE(panel.profile(), QStringLiteral("other"));  // the search's profile first
    QCOMPARE(panel.samplesBox()->value(), 8);
    QCOMPARE(panel.flopsPlot()->pointCount(), 0);
    QVERIFY(!panel.flopsPlot()->placeholderShown().isEmpty());
    QVERIFY(panel.statusText().contains(QStringLiteral("no samples")));

    QSignalSpy started(&panel, &LatencyPanel::runStarted);
    QSignalSpy ended(&panel, &LatencyPanel::runEnded);
    QSignalSpy samples(panel.runner(), &LatencyRunner::sampleMeasured);
    panel.samplesBox()->setValue(7);
    QTest::mouseClick(panel.measureButton(), Qt::LeftButton);
    QCOMPARE(started.size(), 1);
    QVERIFY(panel.isRunning() && panel.isMeasuring());
    QVERIFY(!panel.measureButton()->isEnabled() && !panel.trainButton()->isEnabled());
    QVERIFY(!panel.profileBox()->isEnabled());
    QVERIFY(ended.wait(120000));
    QCOMPARE(samples.size(), 7);
    QCOMPARE(panel.flopsPlot()->pointCount(), 7);
    QVERIFY2(panel.statusText().contains(QStringLiteral("7 samples")), qPrintable(panel.statusText()));
    QVERIFY(panel.logText().contains(QStringLiteral("[7/7]")));
    QVERIFY(panel.measureButton()->isEnabled());
    QCOMPARE(panel.fitPlot()->pointCount(), 0);

    QTest::mouseClick(panel.trainButton(), Qt::LeftButton);
    QVERIFY(panel.isRunning() && !panel.isMeasuring());  // a fit, not a measurement
    QVERIFY(ended.wait(120000));
    QVERIFY(!panel.isMeasuring());
    const auto* fit = panel.fitPlot();
    QCOMPARE(fit->pointCount(), 7);
    QVERIFY(fit->points(LatencyPanel::kHeldOutRows).size() >= 1);
    QCOMPARE(fit->points(LatencyPanel::kNewRows).size(), 0);
    QVERIFY(fit->diagonalShown());
    QVERIFY2(panel.statusText().contains(QStringLiteral("Kendall tau")), qPrintable(panel.statusText()));

    // The other profile has nothing yet; coming back shows the results again (read from disk).
    panel.profileBox()->setCurrentIndex(panel.profileBox()->findData(QStringLiteral("fast")));
    QCOMPARE(panel.flopsPlot()->pointCount(), 0);
    QCOMPARE(panel.fitPlot()->pointCount(), 0);
    panel.profileBox()->setCurrentIndex(panel.profileBox()->findData(QStringLiteral("other")));
    QCOMPARE(panel.flopsPlot()->pointCount(), 7);
    QCOMPARE(panel.fitPlot()->pointCount(), 7);
  }

  void blockedPanelDoesNotMeasure() {
    QTemporaryDir dir;
    const Project p = test::tinyLatencyProjectIn(dir.path().toStdString());
    LatencyPanel panel(p);
    panel.setBlocked(QStringLiteral("training runs"));
    QVERIFY(!panel.measureButton()->isEnabled());
    QCOMPARE(panel.measureButton()->toolTip(), QStringLiteral("training runs"));
    panel.measure();
    QVERIFY(!panel.isRunning());
    panel.setBlocked(QString());
    QVERIFY(panel.measureButton()->isEnabled());
  }

  void stopKeepsTheSamples() {
    QTemporaryDir dir;
    const Project p = test::tinyLatencyProjectIn(dir.path().toStdString());
    LatencyPanel panel(p);
    panel.samplesBox()->setValue(500);
    QSignalSpy ended(&panel, &LatencyPanel::runEnded);
    connect(panel.runner(), &LatencyRunner::sampleMeasured, &panel, [&] { panel.stop(); });
    panel.measure();
    QVERIFY(ended.wait(120000));
    const int kept = panel.flopsPlot()->pointCount();
    QVERIFY(kept >= 1 && kept < 500);
    QVERIFY2(panel.logText().contains(QStringLiteral("stopped")), qPrintable(panel.logText()));
    QVERIFY2(panel.statusText().contains(QStringLiteral("%1 samples").arg(kept)), qPrintable(panel.statusText()));
  }

  void damagedDatasetIsReported() {
    QTemporaryDir dir;
    const Project p = test::tinyLatencyProjectIn(dir.path().toStdString());
    const std::string path = dir.path().toStdString() + "/runs/latency/fast.jsonl";
    std::filesystem::create_directories(dir.path().toStdString() + "/runs/latency");
    writeFileAtomically(path, "this is not json\n");
    LatencyPanel panel(p);
    QCOMPARE(panel.datasetPath().toStdString(), path);
    QVERIFY2(panel.statusText().contains(QStringLiteral("cannot read")), qPrintable(panel.statusText()));
    QVERIFY(panel.statusText().contains(QStringLiteral("fast.jsonl")));
    QCOMPARE(panel.flopsPlot()->pointCount(), 0);
  }
};

QTEST_MAIN(TestLatencyPanel)
#include "test_latency_panel.moc"
