// trialProject: a valid project with every stage shrunk, its outputs under runs/trial and the
// corpus shared with the original project.
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include "pipeline/trial_project.h"
#include "project/project.h"
#include "util/atomic_file.h"
#include "util/json_reader.h"

using namespace automoe;

class TestTrialProject final : public QObject {
  Q_OBJECT

  const std::string m_demoPath = AUTOMOE_SOURCE_DIR "/projects/demo/project.json";

 private Q_SLOTS:
  void shrinksEveryStageAndStaysValid() {
    for (const char* name : {"demo", "wmt14-en-de"}) {
      const std::string path = std::string(AUTOMOE_SOURCE_DIR "/projects/") + name + "/project.json";
      const Project full = Project::load(path);
      const nlohmann::json j = trialProject(full.toJson(), full.directory());
      const std::string trialPath = trialProjectPath(full.directory());
      const Project t = Project::fromJson(j, trialPath);  // valid (throws otherwise)
      QVERIFY(t.training.maxUpdates <= 120 && t.training.maxUpdates <= full.training.maxUpdates);
      QVERIFY(t.retrain.training.maxUpdates <= 120);
      QVERIFY(t.retrain.averageLast <= 2 && t.retrain.training.keepCheckpoints >= t.retrain.averageLast);
      QVERIFY(t.latency.datasetSamples <= 40);
      QVERIFY(t.search.population <= 15 && t.search.generations <= 3);
      QCOMPARE(t.search.population, t.search.parents + t.search.mutations + t.search.crossovers);
      QVERIFY(t.evaluation.maxSentences > 0 && t.evaluation.maxSentences <= 100);
      for (const auto& h : t.hardwareProfiles) QVERIFY(h.runs <= 3 && h.warmup <= 1);
      // What is not a size is unchanged.
      QVERIFY(t.space.toJson() == full.space.toJson());
      QCOMPARE(t.model.toJson(), full.model.toJson());
      QCOMPARE(t.search.constraints.size(), full.search.constraints.size());
      // Corpus shared: the data folder resolves to the original one from the trial's folder.
      Project located = t;
      located.path = trialPath;
      QCOMPARE(QDir::cleanPath(QString::fromStdString(located.resolvePath(t.data.dir))),
               QDir::cleanPath(QString::fromStdString(full.resolvePath(full.data.dir))));
      QVERIFY(trialPath.find("/runs/trial/") != std::string::npos);
    }
  }

  // Local source folders written relative to the project resolve to the same folders from the
  // trial project's folder (the trial may have to build the corpus).
  void localSourcesStayTheOriginalOnes() {
    const Project full = Project::load(m_demoPath);
    nlohmann::json j = full.toJson();
    j["data"]["ddtp_dir"] = "ddtp";
    const std::string trialPath = trialProjectPath(full.directory());
    Project t = Project::fromJson(trialProject(j, full.directory()), trialPath);
    t.path = trialPath;
    QCOMPARE(QDir::cleanPath(QString::fromStdString(t.resolvePath(t.data.ddtpDir))),
             QDir::cleanPath(QString::fromStdString(full.resolvePath("ddtp"))));
  }

  void keepsSmallerValues() {
    const Project full = Project::load(m_demoPath);
    nlohmann::json j = full.toJson();
    j["training"]["max_updates"] = 30;
    j["search"]["generations"] = 1;
    const Project t = Project::fromJson(trialProject(j, full.directory()), "t.json");
    QCOMPARE(t.training.maxUpdates, int64_t(30));
    QCOMPARE(t.search.generations, 1);
  }
};

QTEST_GUILESS_MAIN(TestTrialProject)
#include "test_trial_project.moc"
