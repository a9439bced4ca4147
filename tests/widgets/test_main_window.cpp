// MainWindow: title, seeded sampling through the toolbar button, largest/smallest, the search
// space dock, the status bar and statistics, the training, latency, search and pipeline tabs (a
// chosen candidate is shown; one job runs at a time, the pipeline included, and the other tabs
// read what a pipeline run wrote), and an off-screen screenshot that is not blank.
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QSignalSpy>
#include <QDockWidget>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QAction>
#include <QPushButton>
#include <QSpinBox>
#include <QSet>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QToolBar>
#include <QToolButton>
#include <QtTest/QtTest>
#include <nlohmann/json.hpp>

#include "arch/arch_stats.h"
#include "arch/arch_stats_panel.h"
#include "arch/arch_view_widget.h"
#include "arch/search_space_view.h"
#include "main_window.h"
#include "model/model_panel.h"
#include "pipeline/pipeline_panel.h"
#include "plot/layer_flops_plot.h"
#include "project/project.h"
#include "search/search_history.h"
#include "latency/latency_panel.h"
#include "search/search_panel.h"
#include "support/tiny_pipeline_project.h"
#include "support/tiny_project.h"
#include "plot/training_curves_plot.h"
#include "train/training_panel.h"
#include "train/training_runner.h"

using namespace automoe;
using namespace automoe::widgets;

namespace {
Project demo() { return Project::load(AUTOMOE_SOURCE_DIR "/projects/demo/project.json"); }
}  // namespace

class TestMainWindow final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void titleAndInitialArch() {
    const Project p = demo();
    MainWindow w(p);
    QVERIFY(w.windowTitle().contains(QStringLiteral("demo")));
    QCOMPARE(w.seed(), p.seed);
    QVERIFY(w.currentArch() == p.space.sample(p.seed));
    QVERIFY(w.archView()->hasArch());
    QVERIFY(w.archView()->arch() == w.currentArch());
    // Six tabs in the centre, in the pipeline's order, the whole pipeline last; the architecture
    // first and shown.
    QCOMPARE(w.centralWidget(), static_cast<QWidget*>(w.tabs()));
    QCOMPARE(w.tabs()->count(), 6);
    QCOMPARE(w.tabs()->currentWidget(), static_cast<QWidget*>(w.archView()));
    QCOMPARE(w.tabs()->widget(1), static_cast<QWidget*>(w.trainingPanel()));
    QCOMPARE(w.tabs()->tabText(1), QStringLiteral("Training"));
    QCOMPARE(w.tabs()->widget(2), static_cast<QWidget*>(w.latencyPanel()));
    QCOMPARE(w.tabs()->tabText(2), QStringLiteral("Latency"));
    QCOMPARE(w.tabs()->widget(3), static_cast<QWidget*>(w.searchPanel()));
    QCOMPARE(w.tabs()->tabText(3), QStringLiteral("Search"));
    QCOMPARE(w.tabs()->widget(4), static_cast<QWidget*>(w.modelPanel()));
    QCOMPARE(w.tabs()->tabText(4), QStringLiteral("Model"));
    QCOMPARE(w.tabs()->widget(5), static_cast<QWidget*>(w.pipelinePanel()));
    QCOMPARE(w.tabs()->tabText(5), QStringLiteral("Pipeline"));
    QVERIFY(w.modelPanel()->arch() == w.currentArch());  // the Model tab works on the subnet shown
  }

  // A candidate chosen in the Search tab becomes the architecture shown, on the Architecture tab.
  void chosenSearchCandidateIsShown() {
    QTemporaryDir dir;
    Project p = demo();
    p.path = dir.filePath(QStringLiteral("project.json")).toStdString();
    SearchCandidate c;
    c.id = 0;
    c.arch = p.space.sample(4242);
    c.fitness = 6.0;
    c.metrics = {{"flops", 1e8}, {"predicted_latency", 10.0}};
    {
      SearchHistory h = SearchHistory::open(p.resolvePath(p.search.runDir) + "/history.jsonl",
                                            SearchHistory::makeHeader(1, {}, {}, {}, {}), true);
      h.append(c);
    }
    MainWindow w(p);
    w.tabs()->setCurrentWidget(w.searchPanel());
    QCOMPARE(w.searchPanel()->candidates().size(), size_t(1));
    w.searchPanel()->chooseCandidate(0);
    QVERIFY(w.currentArch() == c.arch);
    QVERIFY(w.archView()->arch() == c.arch);
    QCOMPARE(w.archSource(), QStringLiteral("candidate 0"));
    QCOMPARE(w.tabs()->currentWidget(), static_cast<QWidget*>(w.archView()));
    QVERIFY(w.modelPanel()->arch() == c.arch);
    QVERIFY(w.modelPanel()->subnetText().contains(QStringLiteral("candidate 0")));
    QCOMPARE(w.modelPanel()->candidateId(), 0);  // exported with its id and loss on the card
    w.sampleNext();
    QCOMPARE(w.modelPanel()->candidateId(), -1);
  }

  // Closing while training stops the run; the window closes once its checkpoint is saved.
  void closingWhileTrainingStopsFirst() {
    QTemporaryDir dir;
    Project p = demo();
    p.path = dir.filePath(QStringLiteral("project.json")).toStdString();
    p.training.maxUpdates = 100000;
    p.data.maxTokens = 128;
    MainWindow w(p);
    w.show();
    TrainingPanel* training = w.trainingPanel();
    training->syntheticBox()->setChecked(true);
    QSignalSpy steps(training->runner(), &TrainingRunner::stepDone);
    training->start();
    QVERIFY(steps.wait(120000));
    QVERIFY(!w.close());  // refused for now
    QVERIFY(w.isVisible());
    QVERIFY(training->isRunning());
    QTRY_VERIFY_WITH_TIMEOUT(!w.isVisible(), 120000);
    QVERIFY(!training->isRunning());
    QVERIFY(QFile::exists(dir.filePath(QStringLiteral("runs/supernet/checkpoint_last.pt"))));
  }

  // One job at a time: while latency is measured, training, corpus preparation, the search and
  // the model stages cannot start; while training runs, neither can measuring, the search or the
  // model stages (fitting the predictor can), and their tool tips name what runs.
  void oneJobAtATime() {
    QTemporaryDir dir;
    Project p = test::tinyLatencyProjectIn(dir.path().toStdString());
    p.training = test::tinyTraining(100000);
    MainWindow w(p);
    LatencyPanel* latency = w.latencyPanel();
    TrainingPanel* training = w.trainingPanel();
    latency->samplesBox()->setValue(500);
    QSignalSpy latencyEnded(latency, &LatencyPanel::runEnded);
    latency->measure();
    QVERIFY(latency->isRunning());
    QVERIFY(!training->startButton()->isEnabled());
    QVERIFY(!training->prepareButton()->isEnabled());
    QVERIFY(!w.searchPanel()->startButton()->isEnabled());
    QVERIFY(!w.modelPanel()->retrainButton()->isEnabled() && !w.modelPanel()->exportButton()->isEnabled());
    QVERIFY(latency->isMeasuring());
    QVERIFY(training->startButton()->toolTip().contains(QStringLiteral("Latency measurement")));
    training->start();
    QVERIFY(!training->isRunning());
    latency->stop();
    QVERIFY(latencyEnded.wait(120000));
    QVERIFY(training->startButton()->isEnabled());
    QVERIFY(training->prepareButton()->isEnabled());
    QVERIFY(w.searchPanel()->startButton()->isEnabled());
    QVERIFY(w.modelPanel()->retrainButton()->isEnabled() && w.modelPanel()->exportButton()->isEnabled());

    training->syntheticBox()->setChecked(true);
    QSignalSpy trainingEnded(training, &TrainingPanel::runEnded);
    training->start();
    QVERIFY(training->isRunning());
    QVERIFY(!latency->measureButton()->isEnabled());
    QVERIFY(latency->trainButton()->isEnabled());
    QVERIFY(!w.searchPanel()->startButton()->isEnabled());
    QVERIFY(!w.modelPanel()->retrainButton()->isEnabled() && !w.modelPanel()->exportButton()->isEnabled());
    QVERIFY2(w.searchPanel()->startButton()->toolTip().contains(QStringLiteral("Supernet training")),
             qPrintable(w.searchPanel()->startButton()->toolTip()));
    QVERIFY(w.modelPanel()->exportButton()->toolTip().contains(QStringLiteral("Supernet training")));
    QVERIFY(training->stopButton()->isEnabled());  // the running job itself is never blocked
    QVERIFY(!w.openAction()->isEnabled() && !w.recentMenu()->isEnabled());  // no other project meanwhile
    latency->measure();
    QVERIFY(!latency->isRunning());
    w.modelPanel()->retrain();
    QVERIFY(!w.modelPanel()->isRunning());
    training->stop();
    QVERIFY(trainingEnded.wait(120000));
    QVERIFY(latency->measureButton()->isEnabled());
    QVERIFY(w.openAction()->isEnabled() && w.recentMenu()->isEnabled());
    QVERIFY(w.searchPanel()->startButton()->isEnabled());
    QVERIFY(w.modelPanel()->retrainButton()->isEnabled() && w.modelPanel()->exportButton()->isEnabled());
  }

  // The pipeline is one job too: while it runs, no other job can start (their tool tips name it)
  // and no other project opens; when it ends the other tabs read what it wrote (the supernet's
  // curves, the search history, the retrained model). While training runs, it cannot start.
  void thePipelineIsOneJobAtATime() {
    qputenv("AUTOMOE_TOKENIZER", AUTOMOE_TOKENIZER);
    QTemporaryDir dir;
    const std::string root = dir.path().toStdString();
    const Project p = Project::load(testing::writeTinyDataProject(root, testing::tinyPipelineProjectJson(root)));
    MainWindow w(p);
    PipelinePanel* pipeline = w.pipelinePanel();
    TrainingPanel* training = w.trainingPanel();
    QVERIFY(pipeline->runButton()->isEnabled());
    QSignalSpy running(pipeline, &PipelinePanel::runningChanged);
    QSignalSpy ready(pipeline, &PipelinePanel::modelReady);
    pipeline->run();
    QVERIFY(pipeline->isRunning() && w.isRunningJob());
    QVERIFY(!training->startButton()->isEnabled() && !training->prepareButton()->isEnabled());
    QVERIFY(!w.searchPanel()->startButton()->isEnabled());
    QVERIFY(!w.latencyPanel()->measureButton()->isEnabled());
    // Fitting the predictor, never blocked by the other jobs, is by the pipeline, which fits it too.
    QVERIFY(!w.latencyPanel()->trainButton()->isEnabled());
    QVERIFY(w.latencyPanel()->trainButton()->toolTip().startsWith(QStringLiteral("The pipeline is running")));
    QVERIFY(!w.modelPanel()->retrainButton()->isEnabled() && !w.modelPanel()->exportButton()->isEnabled());
    QVERIFY2(training->startButton()->toolTip().startsWith(QStringLiteral("The pipeline is running: one job at a time")),
             qPrintable(training->startButton()->toolTip()));
    QVERIFY(w.modelPanel()->exportButton()->toolTip().startsWith(QStringLiteral("The pipeline is running")));
    QVERIFY(!w.openAction()->isEnabled() && !w.recentMenu()->isEnabled());
    QVERIFY(pipeline->stopButton()->isEnabled());  // the running job itself is never blocked
    training->start();
    QVERIFY(!training->isRunning());
    QVERIFY(running.wait(240000));
    QCOMPARE(running.back().front().toBool(), false);
    QVERIFY2(ready.size() == 1, qPrintable(pipeline->statusText()));
    QVERIFY(!w.isRunningJob());
    QVERIFY(training->startButton()->isEnabled() && w.searchPanel()->startButton()->isEnabled());
    QVERIFY(w.latencyPanel()->measureButton()->isEnabled() && w.modelPanel()->retrainButton()->isEnabled());
    QVERIFY(w.latencyPanel()->trainButton()->isEnabled());
    QVERIFY(w.openAction()->isEnabled() && w.recentMenu()->isEnabled());
    // The other tabs show what the run wrote.
    QCOMPARE(training->curves()->trainingLoss().size(), 4);
    QVERIFY(!w.searchPanel()->candidates().empty());
    QCOMPARE(w.modelPanel()->modelDir(), ready.front().front().toString());

    training->syntheticBox()->setChecked(true);
    training->updatesBox()->setValue(100000);
    training->freshBox()->setChecked(true);
    QSignalSpy trainingEnded(training, &TrainingPanel::runEnded);
    training->start();
    QVERIFY(training->isRunning());
    QVERIFY(!pipeline->runButton()->isEnabled());
    QVERIFY2(pipeline->runButton()->toolTip().startsWith(QStringLiteral("Supernet training is running")),
             qPrintable(pipeline->runButton()->toolTip()));
    pipeline->run();
    QVERIFY(!pipeline->isRunning());
    training->stop();
    QVERIFY(trainingEnded.wait(120000));
    QVERIFY(pipeline->runButton()->isEnabled());
  }

  void sampleButtonDrawsNextSeed() {
    const Project p = demo();
    QVERIFY(p.space.sample(p.seed) != p.space.sample(p.seed + 1));  // precondition of the test
    MainWindow w(p);
    w.show();
    auto* bar = w.findChild<QToolBar*>(QStringLiteral("archToolBar"));
    QVERIFY(bar);
    auto* button = qobject_cast<QToolButton*>(bar->widgetForAction(w.sampleAction()));
    QVERIFY(button);
    QCOMPARE(button->text(), QStringLiteral("Sample subnet"));
    const ArchConfig before = w.archView()->arch();
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(w.seed(), p.seed + 1);
    QVERIFY(w.archView()->arch() != before);
    QVERIFY(w.archView()->arch() == p.space.sample(p.seed + 1));
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(w.seed(), p.seed + 2);
    QVERIFY(w.currentArch() == p.space.sample(p.seed + 2));
    auto* seedEdit = w.findChild<QLineEdit*>(QStringLiteral("seedEdit"));
    QVERIFY(seedEdit);
    QCOMPARE(seedEdit->text(), QString::number(p.seed + 2));
    QCOMPARE(w.archSource(), QStringLiteral("seed %1").arg(p.seed + 2));
  }

  void editingTheSeedSamplesIt() {
    const Project p = demo();
    MainWindow w(p);
    auto* seedEdit = w.findChild<QLineEdit*>(QStringLiteral("seedEdit"));
    seedEdit->setText(QStringLiteral("77"));
    Q_EMIT seedEdit->editingFinished();
    QCOMPARE(w.seed(), uint64_t{77});
    QVERIFY(w.currentArch() == p.space.sample(77));
  }

  void largestAndSmallestActions() {
    const Project p = demo();
    MainWindow w(p);
    auto* largest = w.findChild<QAction*>(QStringLiteral("largestAction"));
    auto* smallest = w.findChild<QAction*>(QStringLiteral("smallestAction"));
    QVERIFY(largest && smallest);
    largest->trigger();
    QVERIFY(w.archView()->arch() == p.space.largest());
    QCOMPARE(w.archSource(), QStringLiteral("largest"));
    smallest->trigger();
    QVERIFY(w.archView()->arch() == p.space.smallest());
    w.sampleAction()->trigger();  // sampling resumes from the last seed
    QCOMPARE(w.seed(), p.seed + 1);
  }

  void searchSpaceDockListsEveryDimension() {
    const Project p = demo();
    MainWindow w(p);
    auto* dock = w.findChild<QDockWidget*>(QStringLiteral("searchSpaceDock"));
    QVERIFY(dock);
    auto* view = qobject_cast<SearchSpaceView*>(dock->widget());
    QVERIFY(view);
    QCOMPARE(view->objectName(), QStringLiteral("searchSpaceView"));
    const nlohmann::json j = p.space.toJson();
    for (const char* stack : {"encoder", "decoder"}) {
      const QStringList dims = view->dimensions(QString::fromLatin1(stack));
      QCOMPARE(dims.size(), static_cast<int>(j[stack].size()));
      for (auto it = j[stack].begin(); it != j[stack].end(); ++it)
        QVERIFY2(dims.contains(QString::fromStdString(it.key())), it.key().c_str());
    }
    QCOMPARE(view->choices("decoder", "layers"), QStringLiteral("3, 2, 1"));
    QCOMPARE(view->choices("encoder", "ffn_dim"), QStringLiteral("512, 256, 128"));
    QCOMPARE(view->choices("decoder", "arbitrary_ende_attn"), QStringLiteral("-1, 1, 2"));
    QCOMPARE(view->choices("space", "qkv_dim"), QStringLiteral("128"));
    QVERIFY(view->choices("space", "size").contains(QString::number(p.space.log10Size(), 'f', 1)));
  }

  void statusBarAndStatsDescribeTheArch() {
    const Project p = demo();
    MainWindow w(p);
    w.sampleAction()->trigger();
    const ArchStats s =
        computeArchStats(w.currentArch(), p.space.qkvDim, p.model.vocabSize, 30, 30);
    auto* summary = w.findChild<QLabel*>(QStringLiteral("archSummary"));
    QVERIFY(summary);
    QVERIFY(summary->text().contains(QString::fromStdString(w.currentArch().summary())));
    QVERIFY(summary->text().contains(QStringLiteral("seed %1").arg(p.seed + 1)));
    const QString total = ArchStatsPanel::formatCount(static_cast<double>(s.totalParams));
    QVERIFY(summary->text().contains(total));
    QCOMPARE(w.statsPanel()->valueText("total"), total);
    QCOMPARE(w.statsPanel()->valueText("active"), ArchStatsPanel::formatCount(s.activeParams));
    const auto* plot = w.statsPanel()->flopsPlot();
    QCOMPARE(plot->encoderValues().size(), w.currentArch().encoder.numLayers());
    QCOMPARE(plot->decoderValues().size(), w.currentArch().decoder.numLayers());
    QCOMPARE(plot->decoderValues().front(), s.decoderLayers.front().flops / 1e6);
  }

  void screenshotIsNotBlank() {
    MainWindow w(demo());
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTest::qWait(100);  // let the throttled plot replot once
    const QString file = QDir(QDir::tempPath()).filePath(QStringLiteral("automoe_main_window.png"));
    QVERIFY(w.grab().save(file, "PNG"));
    QImage img;
    QVERIFY(img.load(file));
    QCOMPARE(img.size(), QSize(1400, 900));
    const QRgb background = img.pixel(img.width() / 2, img.height() - 2);
    QSet<QRgb> colours;
    qint64 foreground = 0;
    for (int y = 0; y < img.height(); y += 2)
      for (int x = 0; x < img.width(); x += 2) {
        colours.insert(img.pixel(x, y));
        foreground += img.pixel(x, y) != background;
      }
    QVERIFY2(colours.size() > 100, qPrintable(QString::number(colours.size())));
    const double fraction = 4.0 * foreground / (img.width() * img.height());
    QVERIFY2(fraction > 0.3, qPrintable(QString::number(fraction)));
    // The diagram fills most of the window's centre.
    QVERIFY(w.archView()->width() > 700);
    QVERIFY(w.archView()->height() > 600);
  }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
