// The Training tab's "Prepare corpus": on a project whose DDTP indexes are local files (no
// download), it builds and tokenises the corpus on a worker thread with its progress in the log,
// then training on that corpus (not the synthetic one) works; a second preparation finds
// everything up to date; a project whose sources are missing fails with the data section's error.
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "plot/training_curves_plot.h"
#include "project/project.h"
#include "support/tiny_data_project.h"
#include "train/training_panel.h"
#include "util/atomic_file.h"
#include "util/json_reader.h"

using namespace automoe;
using namespace automoe::widgets;

namespace {

// The demo project made tiny, its corpus from local DDTP indexes in `dir`/ddtp.
std::string tinyDataProject(const QTemporaryDir& dir, bool withSources = true) {
  const std::string root = dir.path().toStdString();
  return automoe::testing::writeTinyDataProject(root, automoe::testing::tinyDataProjectJson(root, withSources));
}

}  // namespace

class TestCorpusPreparation final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { qputenv("AUTOMOE_TOKENIZER", AUTOMOE_TOKENIZER); }

  void prepareThenTrainOnTheCorpus() {
    QTemporaryDir dir;
    TrainingPanel panel(Project::load(tinyDataProject(dir)));
    QSignalSpy ended(&panel, &TrainingPanel::runEnded);
    QTest::mouseClick(panel.prepareButton(), Qt::LeftButton);
    QVERIFY(panel.isRunning());
    QVERIFY(!panel.startButton()->isEnabled() && !panel.prepareButton()->isEnabled());
    QVERIFY(ended.wait(180000));
    QVERIFY2(panel.statusText().startsWith(QStringLiteral("Corpus ready: en-de, train ")), qPrintable(panel.statusText()));
    QVERIFY2(panel.statusText().contains(QStringLiteral("vocabulary 150")), qPrintable(panel.statusText()));
    QVERIFY(!panel.statusText().contains(QStringLiteral("up to date")));
    QVERIFY2(panel.logText().count(QLatin1Char('\n')) >= 3, qPrintable(panel.logText()));  // the steps' progress
    QVERIFY(std::filesystem::exists(dir.path().toStdString() + "/data"));

    // Training now reads the prepared corpus (Synthetic corpus unticked).
    QSignalSpy trained(&panel, &TrainingPanel::runEnded);
    panel.start();
    QVERIFY(trained.wait(120000));
    QVERIFY2(panel.statusText().contains(QStringLiteral("finished 3 updates")), qPrintable(panel.statusText()));
    QCOMPARE(panel.curves()->trainingLoss().size(), 3);

    // Again: nothing to redo.
    QSignalSpy again(&panel, &TrainingPanel::runEnded);
    panel.prepareCorpus();
    QVERIFY(again.wait(120000));
    QVERIFY2(panel.statusText().endsWith(QStringLiteral("(already up to date)")), qPrintable(panel.statusText()));
  }

  void missingSourcesFail() {
    QTemporaryDir dir;
    TrainingPanel panel(Project::load(tinyDataProject(dir, /*withSources=*/false)));
    QSignalSpy ended(&panel, &TrainingPanel::runEnded);
    panel.prepareCorpus();
    QVERIFY(ended.wait(120000));
    QVERIFY2(panel.statusText().startsWith(QStringLiteral("Preparing the corpus failed: ")) &&
                 panel.statusText().contains(QStringLiteral("ddtp")),
             qPrintable(panel.statusText()));
    QVERIFY(panel.prepareButton()->isEnabled() && panel.startButton()->isEnabled());
  }
};

QTEST_MAIN(TestCorpusPreparation)
#include "test_corpus_preparation.moc"
