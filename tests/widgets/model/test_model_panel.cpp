// The Model tab on a tiny project whose corpus comes from local DDTP indexes and whose supernet
// is trained for a few updates (core's data and training jobs, no download): Export writes the
// subnet shown as a model folder and offers it; Retrain trains it from scratch with live curves
// and offers its model folder first; Evaluate saves loss and BLEU beside the model; Translate
// turns each typed line into one translation. Without a trained supernet, Export fails with a
// message naming the checkpoint; a blocked panel starts nothing; a panel with no model folder
// cannot evaluate or translate. Folder… offers another model folder; a search candidate's id and
// loss go on the card it is exported with.
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "arch/arch_config.h"
#include "data/data_job.h"
#include "model/model_panel.h"
#include "plot/training_curves_plot.h"
#include "project/project.h"
#include "support/tiny_data_project.h"
#include "train/training_job.h"
#include "util/atomic_file.h"
#include "util/json_reader.h"

using namespace automoe;
using namespace automoe::widgets;

namespace {

// The tiny data project with a short retraining, a quick evaluation and one quick profile.
std::string tinyModelProject(const std::string& root) {
  nlohmann::json j = automoe::testing::tinyDataProjectJson(root);
  j["retrain"] = {{"average_last", 2},
                  {"training", {{"max_updates", 3}, {"checkpoint_every", 1}, {"log_every", 1}, {"run_dir", "retrained"},
                                {"valid_batches", 1}, {"threads", 1}}}};
  j["evaluation"] = {{"beam", 2}, {"max_len_a", 1.0}, {"max_len_b", 5}, {"batch_size", 4}};
  j["hardware_profiles"] = {{{"name", "quick"}, {"src_len", 6}, {"tgt_len", 4}, {"beam", 2}, {"warmup", 0}, {"runs", 2}}};
  j["search"]["profile"] = "quick";
  return automoe::testing::writeTinyDataProject(root, j);
}

bool waitForEnd(ModelPanel& panel) {
  QSignalSpy ended(&panel, &ModelPanel::runEnded);
  return ended.wait(300000);
}

}  // namespace

class TestModelPanel final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  std::string m_projectPath;

 private Q_SLOTS:
  void initTestCase() {
    qputenv("AUTOMOE_TOKENIZER", AUTOMOE_TOKENIZER);
    QVERIFY(m_dir.isValid());
    m_projectPath = tinyModelProject(m_dir.path().toStdString());
    const Project p = Project::load(m_projectPath);
    StopToken stop;
    runDataJob(p, false, false, stop, {});
    TrainingObserver quiet;
    const TrainResult r = runTrainingJob(p, p.training, TrainingJob{}, stop, quiet);
    QVERIFY2(r.status == TrainStatus::Finished, r.message.c_str());
  }

  void withoutModelsNothingToEvaluate() {
    const Project p = Project::load(m_projectPath);
    ModelPanel panel(p);
    QVERIFY(panel.modelDir().isEmpty());
    QVERIFY(!panel.evaluateButton()->isEnabled() && !panel.translateButton()->isEnabled());
    QVERIFY(panel.exportButton()->isEnabled() && panel.retrainButton()->isEnabled());
    QVERIFY(panel.arch() == p.space.largest());  // until the window shows another subnet
    panel.setBlocked(QStringLiteral("latency is measured"));
    QVERIFY(!panel.exportButton()->isEnabled() && !panel.retrainButton()->isEnabled());
    QCOMPARE(panel.exportButton()->toolTip(), QStringLiteral("latency is measured"));
    panel.exportModel();
    panel.retrain();
    QVERIFY(!panel.isRunning());
    panel.setBlocked(QString());
    QVERIFY(panel.exportButton()->isEnabled());
    QVERIFY(panel.exportButton()->toolTip() != QStringLiteral("latency is measured"));
  }

  void exportWritesTheShownSubnet() {
    const Project p = Project::load(m_projectPath);
    ModelPanel panel(p);
    const ArchConfig smallest = p.space.smallest();
    panel.setArch(p.space.largest(), QStringLiteral("candidate 3"));
    panel.setCandidate(3, 6.5);
    panel.setArch(smallest, QStringLiteral("smallest"));  // another subnet forgets the candidate
    QCOMPARE(panel.candidateId(), -1);
    panel.setCandidate(7, 5.25);  // as when search candidate 7 is chosen
    QCOMPARE(panel.candidateId(), 7);
    QVERIFY(panel.subnetText().contains(QStringLiteral("smallest")));
    QSignalSpy started(&panel, &ModelPanel::runStarted);
    QTest::mouseClick(panel.exportButton(), Qt::LeftButton);
    QCOMPARE(started.size(), 1);
    QVERIFY(panel.isRunning() && !panel.exportButton()->isEnabled() && !panel.retrainButton()->isEnabled());
    QVERIFY(waitForEnd(panel));
    QVERIFY2(panel.statusText().contains(QStringLiteral("exported")), qPrintable(panel.statusText()));
    const QString dir = panel.exportDir();
    QVERIFY(QFile::exists(dir + QStringLiteral("/model_card.json")));
    const nlohmann::json arch = parseJsonText(readTextFile((dir + QStringLiteral("/arch.json")).toStdString()), "arch");
    QVERIFY(ArchConfig::fromJson(arch, "arch.json") == smallest);
    const nlohmann::json card =
        parseJsonText(readTextFile((dir + QStringLiteral("/model_card.json")).toStdString()), "card");
    QVERIFY2(card.at("latency").at("quick").contains("mean_ms"), card.at("latency").dump().c_str());
    QCOMPARE(card.at("candidate_id").get<int>(), 7);  // the candidate and its search loss on the card
    QCOMPARE(card.at("validation").at("loss").get<double>(), 5.25);
    QCOMPARE(panel.modelDir(), dir);
    QVERIFY(panel.evaluateButton()->isEnabled() && panel.translateButton()->isEnabled());
  }

  void retrainShowsCurvesAndOffersItsModel() {
    const Project p = Project::load(m_projectPath);
    ModelPanel panel(p);
    panel.setArch(p.space.smallest(), QStringLiteral("smallest"));
    QCOMPARE(panel.updatesBox()->value(), 3);
    panel.latencyBox()->setChecked(false);
    QTest::mouseClick(panel.retrainButton(), Qt::LeftButton);
    QVERIFY(panel.isRunning());
    QVERIFY(waitForEnd(panel));
    QVERIFY2(panel.statusText().contains(QStringLiteral("averaged")), qPrintable(panel.statusText()));
    QCOMPARE(panel.curves()->trainingLoss().size(), 3);
    QVERIFY(QFile::exists(panel.retrainedModelDir() + QStringLiteral("/model_card.json")));
    QCOMPARE(panel.modelDir(), panel.retrainedModelDir());
    QCOMPARE(panel.modelBox()->count(), 2);  // retrained first, then the export
    QCOMPARE(panel.modelBox()->itemData(0).toString(), panel.retrainedModelDir());

    // A new panel reads the run's curves back.
    ModelPanel again(p);
    QCOMPARE(again.curves()->trainingLoss().size(), 3);
    QCOMPARE(again.modelDir(), again.retrainedModelDir());
  }

  void evaluateAndTranslate() {
    const Project p = Project::load(m_projectPath);
    ModelPanel panel(p);
    QCOMPARE(panel.splitBox()->currentData().toString(), QStringLiteral("test"));
    QTest::mouseClick(panel.evaluateButton(), Qt::LeftButton);
    QVERIFY(waitForEnd(panel));
    QVERIFY2(panel.statusText().contains(QStringLiteral("BLEU")), qPrintable(panel.statusText()));
    QVERIFY(QFile::exists(panel.modelDir() + QStringLiteral("/evaluation_test.json")));

    panel.sourceEdit()->setPlainText(QStringLiteral("  \n"));  // nothing to translate: nothing starts
    panel.translate();
    QVERIFY(!panel.isRunning());
    QVERIFY(panel.statusText().contains(QStringLiteral("Type the sentences")));
    panel.sourceEdit()->setPlainText(QStringLiteral("the package provides a library\nthis is a tool"));
    QTest::mouseClick(panel.translateButton(), Qt::LeftButton);
    QVERIFY(waitForEnd(panel));
    QCOMPARE(panel.translationView()->toPlainText().split(QLatin1Char('\n')).size(), 2);
    QVERIFY2(panel.statusText().contains(QStringLiteral("translated 2 line")), qPrintable(panel.statusText()));
  }

  // Folder… offers any model folder (here a copy of the export) and chooses it; a folder without
  // a model card is refused with a message naming it.
  void addedModelFolderIsOffered() {
    const Project p = Project::load(m_projectPath);
    ModelPanel panel(p);
    QTemporaryDir other;
    QVERIFY(!panel.addModelFolder(other.path()));
    QVERIFY2(panel.statusText().contains(other.path()) && panel.statusText().contains(QStringLiteral("model_card.json")),
             qPrintable(panel.statusText()));
    const int before = panel.modelBox()->count();
    const QString copy = other.filePath(QStringLiteral("copied-model"));
    std::filesystem::copy(panel.exportDir().toStdString(), copy.toStdString(), std::filesystem::copy_options::recursive);
    QVERIFY(panel.addModelFolder(copy + QStringLiteral("/.")));  // spelled differently, found as itself
    QCOMPARE(panel.modelDir(), copy);
    QCOMPARE(panel.modelBox()->count(), before + 1);
    QVERIFY(panel.addModelFolder(copy));  // once only
    QCOMPARE(panel.modelBox()->count(), before + 1);
    panel.refreshModels();  // kept when the list is read again
    QCOMPARE(panel.modelDir(), copy);
    QVERIFY(panel.translateButton()->isEnabled() && panel.addFolderButton()->isEnabled());
    panel.sourceEdit()->setPlainText(QStringLiteral("this is a tool"));
    panel.translate();
    QVERIFY(waitForEnd(panel));
    QCOMPARE(panel.translationView()->toPlainText().split(QLatin1Char('\n')).size(), 1);
  }

  void exportWithoutSupernetFails() {
    QTemporaryDir other;
    Project p = Project::load(m_projectPath);
    p.path = other.filePath(QStringLiteral("project.json")).toStdString();  // its runs/ are empty
    ModelPanel panel(p);
    QTest::mouseClick(panel.exportButton(), Qt::LeftButton);
    QVERIFY(waitForEnd(panel));
    QVERIFY2(panel.statusText().startsWith(QStringLiteral("Failed:")), qPrintable(panel.statusText()));
    QVERIFY2(panel.statusText().contains(QStringLiteral("checkpoint_last.pt")), qPrintable(panel.statusText()));
    QVERIFY(!panel.isRunning() && panel.exportButton()->isEnabled());
  }
};

QTEST_MAIN(TestModelPanel)
#include "test_model_panel.moc"
