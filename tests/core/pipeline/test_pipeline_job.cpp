// The pipeline job on a tiny project with real (local) data: every stage runs once, in order,
// reporting through the observer; a second run finds them all up to date; a stop inside the
// supernet stage leaves it interrupted and the next run resumes it; pipelineStatus tells up to
// date, changed, interrupted and outdated stages apart without writing the state file; a second
// pipeline of the same project is refused.
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <filesystem>
#include <map>

#include "pipeline/pipeline_job.h"
#include "project/project.h"
#include "support/tiny_pipeline_project.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/run_lock.h"

using namespace automoe;

namespace {

const std::vector<std::string>& kStages = testing::kPipelineStages;

struct Recorder final : PipelineObserver {
  std::vector<std::string> upToDate, started, done, whys;
  std::map<std::string, int> steps;  // training updates reported, per stage
  std::vector<int> latencyStored;
  int generations = 0;
  std::string stage;        // the running one
  StopToken* stopAt = nullptr;  // requested at the supernet stage's second update
  void onStageUpToDate(const PipelineStageEvent& s) override { upToDate.push_back(s.name); }
  void onStageStarted(const PipelineStageEvent& s, const std::string& why) override {
    QCOMPARE(s.count, kStages.size());
    QCOMPARE(s.name, kStages[s.index]);
    started.push_back(s.name);
    whys.push_back(why);
    stage = s.name;
  }
  void onStageDone(const PipelineStageEvent& s, double seconds) override {
    QVERIFY(seconds >= 0);
    done.push_back(s.name);
  }
  void onStep(const TrainStepStats& s) override {
    ++steps[stage];
    if (stopAt && stage == "supernet" && s.step == 2) stopAt->requestStop();
  }
  void onLatencySample(const LatencySample&, int stored, int planned) override {
    QCOMPARE(planned, 12);
    latencyStored.push_back(stored);
  }
  void onGeneration(const GenerationReport&, const SearchCandidate&) override { ++generations; }
};

std::map<std::string, PipelineStageState> states(const Project& p) {
  std::map<std::string, PipelineStageState> out;
  for (const auto& s : pipelineStatus(p)) out[s.name] = s.state;
  return out;
}

}  // namespace

class TestPipelineJob final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  std::string m_root;
  nlohmann::json m_json;

  Project project() const { return Project::load(m_root + "/project.json"); }
  void write(const nlohmann::json& j) { writeFileAtomically(m_root + "/project.json", j.dump(2)); }

 private Q_SLOTS:
  void initTestCase() {
    qputenv("AUTOMOE_TOKENIZER", AUTOMOE_TOKENIZER);  // the stages find it as the installed app does
    m_root = m_dir.filePath("p").toStdString();
    m_json = testing::tinyPipelineProjectJson(m_root);
    write(m_json);
  }

  void runsEveryStageInOrderThenNone() {
    const Project p = project();
    for (const auto& [name, state] : states(p)) QVERIFY2(state == PipelineStageState::NotRun, name.c_str());
    StopToken stop;
    Recorder r;
    const PipelineResult result = runPipelineJob(p, stop, r);
    QVERIFY2(result.status == PipelineStatus::Completed, result.message.c_str());
    QCOMPARE(r.started, kStages);
    QCOMPARE(r.done, kStages);
    QVERIFY(r.upToDate.empty());
    for (const auto& why : r.whys) QCOMPARE(why, std::string());
    QCOMPARE(r.steps["supernet"], 4);
    QCOMPARE(r.steps["retrain"], 3);
    QCOMPARE(r.latencyStored.size(), size_t{12});
    QCOMPARE(r.latencyStored.back(), 12);
    QCOMPARE(r.generations, 1);
    QVERIFY(std::filesystem::exists(result.modelDir + "/model_card.json"));
    QVERIFY(std::filesystem::exists(result.modelDir + "/evaluation_test.json"));
    QCOMPARE(result.statePath, m_root + "/runs/pipeline.json");

    const auto status = pipelineStatus(p);
    QCOMPARE(status.size(), kStages.size());
    for (const auto& s : status) {
      QVERIFY2(s.state == PipelineStageState::UpToDate, s.name.c_str());
      QVERIFY(!s.finishedAt.empty());
      QVERIFY(!s.outputs.empty());
    }
    Recorder again;
    QVERIFY(runPipelineJob(p, stop, again).status == PipelineStatus::Completed);
    QCOMPARE(again.upToDate, kStages);
    QVERIFY(again.started.empty());
  }

  // Reading the status never writes the state file, even where a stamp would be refreshed.
  void statusReadsWithoutWriting() {
    const Project p = project();
    const std::string state = readTextFile(p.resolvePath("runs/pipeline.json"));
    const std::string manifest = pipelineStatus(p).front().outputs.front();
    std::filesystem::last_write_time(manifest, std::filesystem::last_write_time(manifest) + std::chrono::seconds(5));
    QVERIFY(states(p).at("corpus") == PipelineStageState::UpToDate);  // same content: only moved in time
    QCOMPARE(readTextFile(p.resolvePath("runs/pipeline.json")), state);
  }

  void outdatedStageNamesTheFile() {
    const Project p = project();
    const std::string evaluation = pipelineStatus(p).back().outputs.front();
    const std::string kept = readTextFile(evaluation);
    std::filesystem::remove(evaluation);
    const auto status = pipelineStatus(p);
    QVERIFY(status.back().state == PipelineStageState::Outdated);
    QCOMPARE(status.back().detail, evaluation);
    writeFileAtomically(evaluation, kept);
    QVERIFY(states(p).at("evaluate") == PipelineStageState::UpToDate);
  }

  // A changed training section: the supernet and what depends on it start over; a stop at its
  // second update leaves it interrupted, and the next run resumes it.
  void stopInsideAStageThenResume() {
    nlohmann::json j = m_json;
    j["training"]["max_updates"] = 6;
    write(j);
    const Project p = project();
    auto s = states(p);
    for (const char* name : {"corpus", "tokenizer", "latency", "predictor"})
      QVERIFY2(s.at(name) == PipelineStageState::UpToDate, name);
    for (const char* name : {"supernet", "search", "export", "retrain", "evaluate"})
      QVERIFY2(s.at(name) == PipelineStageState::Changed, name);

    StopToken stop;
    Recorder r;
    r.stopAt = &stop;
    const PipelineResult stopped = runPipelineJob(p, stop, r);
    QVERIFY(stopped.status == PipelineStatus::Stopped);
    QCOMPARE(stopped.stage, std::string("supernet"));
    QCOMPARE(r.started, std::vector<std::string>({"supernet"}));
    QCOMPARE(r.whys.front(), std::string("inputs changed: starting over"));
    QVERIFY(r.done.empty());
    QVERIFY(states(p).at("supernet") == PipelineStageState::Interrupted);

    StopToken go;
    Recorder resumed;
    const PipelineResult result = runPipelineJob(p, go, resumed);
    QVERIFY2(result.status == PipelineStatus::Completed, result.message.c_str());
    QCOMPARE(resumed.started.front(), std::string("supernet"));
    QCOMPARE(resumed.whys.front(), std::string("resuming"));
    QVERIFY(resumed.steps["supernet"] < 6);  // resumed at a checkpoint, not from update 1
    QCOMPARE(resumed.upToDate, std::vector<std::string>({"corpus", "tokenizer", "latency", "predictor"}));
    for (const auto& [name, state] : states(p)) QVERIFY2(state == PipelineStageState::UpToDate, name.c_str());
  }

  void secondPipelineOfAProjectIsRefused() {
    const Project p = project();
    const std::string path = pipelineStatePath(p);
    const RunLock held(RunLock::forFile(path), path);
    StopToken stop;
    Recorder r;
    try {
      runPipelineJob(p, stop, r);
      QFAIL("a second pipeline ran");
    } catch (const ConfigError& e) {
      QVERIFY2(std::string(e.what()).find("in use") != std::string::npos, e.what());
    }
    QVERIFY(r.started.empty() && r.upToDate.empty());
  }

  void trialProjectIsWrittenBesideIt() {
    const std::string path = writeTrialProject(m_root + "/project.json");
    QCOMPARE(path, m_root + "/runs/trial/project.json");
    const Project trial = Project::load(path);
    QCOMPARE(pipelineStatePath(trial), m_root + "/runs/trial/runs/pipeline.json");
  }
};

QTEST_GUILESS_MAIN(TestPipelineJob)
#include "test_pipeline_job.moc"
