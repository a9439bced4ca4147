// Hardware profiles and the latency section of the project file: defaults when missing, every
// field parsed and validated with errors naming file and field, round trip through toJson, and
// the example projects' profiles.
#include <QtTest/QtTest>

#include "latency/hardware_profile.h"
#include "latency/latency_paths.h"
#include "project/project.h"
#include "support/tiny_space.h"
#include "util/config_error.h"

using namespace automoe;

namespace {

nlohmann::json baseProject() {
  return {{"format_version", 1}, {"name", "t"}, {"seed", 4}, {"search_space", test::tinySpace().toJson()}};
}

QString errorOf(const nlohmann::json& j) {
  try {
    Project::fromJson(j, "p.json");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return {};
}

}  // namespace

class TestHardwareProfile final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void defaultsToAutoMoEProtocol() {
    const Project p = Project::fromJson(baseProject(), "p.json");
    QCOMPARE(p.hardwareProfiles.size(), size_t{1});
    const HardwareProfile& h = p.hardwareProfiles[0];
    QCOMPARE(h.name, std::string("cpu-1-thread"));
    QCOMPARE(h.device, std::string("cpu"));
    QCOMPARE(h.threads, 1);
    QCOMPARE(h.batchSize, 1);
    QCOMPARE(h.srcLen, 30);
    QCOMPARE(h.tgtLen, 30);
    QCOMPARE(h.beam, 5);
    QCOMPARE(h.timer, std::string("wall"));
    QCOMPARE(h.protocol, std::string("beam_search"));
    QCOMPARE(p.latency.seed, uint64_t{4});  // the project's seed
    QCOMPARE(p.latency.predictor.seed, uint64_t{4});
  }

  void parsesSeveralProfilesAndRoundTrips() {
    nlohmann::json j = baseProject();
    j["hardware_profiles"] = {
        {{"name", "cpu-1-thread"}, {"threads", 1}, {"runs", 7}, {"warmup", 0}},
        {{"name", "cpu-2-threads"}, {"threads", 2}, {"beam", 4}, {"tgt_len", 12}, {"protocol", "automoe"}},
        {{"name", "shared"}, {"timer", "thread_cpu"}}};
    j["latency"] = {{"dataset_samples", 42}, {"seed", 9}, {"predictor", {{"hidden_dim", 16}, {"steps", 10}}}};
    j["latency"]["predictor"]["ridge"] = "auto";
    const Project p = Project::fromJson(j, "p.json");
    QCOMPARE(p.hardwareProfiles.size(), size_t{3});
    QCOMPARE(p.hardwareProfiles[0].runs, 7);
    QCOMPARE(p.hardwareProfiles[0].warmup, 0);
    QCOMPARE(p.hardwareProfiles[1].threads, 2);
    QCOMPARE(p.hardwareProfiles[1].beam, 4);
    QCOMPARE(p.hardwareProfiles[1].protocol, std::string("automoe"));
    QCOMPARE(p.hardwareProfiles[2].timer, std::string("thread_cpu"));
    QCOMPARE(p.latency.datasetSamples, 42);
    QCOMPARE(p.latency.seed, uint64_t{9});
    QCOMPARE(p.latency.predictor.hiddenDim, 16);
    QVERIFY(p.latency.predictor.ridge < 0);  // "auto" by default: cross-validated
    QCOMPARE(p.latency.predictor.seed, uint64_t{9});
    const Project back = Project::fromJson(p.toJson(), "again.json");
    QCOMPARE(back.hardwareProfiles.size(), size_t{3});
    for (size_t i = 0; i < 3; ++i) QVERIFY(back.hardwareProfiles[i] == p.hardwareProfiles[i]);
    QCOMPARE(back.latency.toJson(), p.latency.toJson());
    QCOMPARE(&findHardwareProfile(p.hardwareProfiles, "cpu-2-threads", "p.json"), &p.hardwareProfiles[1]);
    QCOMPARE(&findHardwareProfile(p.hardwareProfiles, "", "p.json"), &p.hardwareProfiles[0]);
  }

  void errorsNameTheFileAndField() {
    auto withProfiles = [](nlohmann::json profiles) {
      nlohmann::json j = baseProject();
      j["hardware_profiles"] = std::move(profiles);
      return j;
    };
    QString e = errorOf(withProfiles({{{"name", "a"}}, {{"name", "a"}}}));
    QVERIFY2(e.contains("p.json") && e.contains("hardware_profiles[1].name") && e.contains("twice"), qPrintable(e));
    e = errorOf(withProfiles({{{"name", "a"}, {"device", "tpu"}}}));
    QVERIFY2(e.contains("hardware_profiles[0].device"), qPrintable(e));
    e = errorOf(withProfiles({{{"name", "a"}, {"threads", 0}}}));
    QVERIFY2(e.contains("hardware_profiles[0].threads"), qPrintable(e));
    e = errorOf(withProfiles({{{"name", "a"}, {"beem", 5}}}));
    QVERIFY2(e.contains("hardware_profiles[0].beem") && e.contains("unknown field"), qPrintable(e));
    e = errorOf(withProfiles({{{"name", "a"}, {"timer", "thread_cpu"}, {"threads", 2}}}));
    QVERIFY2(e.contains("hardware_profiles[0].timer"), qPrintable(e));
    e = errorOf(withProfiles({{{"name", "a/b"}}}));
    QVERIFY2(e.contains("hardware_profiles[0].name"), qPrintable(e));
    e = errorOf(withProfiles(nlohmann::json::array()));
    QVERIFY2(e.contains("'hardware_profiles'"), qPrintable(e));
    nlohmann::json j = baseProject();
    j["latency"] = {{"predictor", {{"holdout", 1.5}}}};
    e = errorOf(j);
    QVERIFY2(e.contains("latency.predictor.holdout"), qPrintable(e));
    j["latency"] = {{"predictor", {{"ridge", "big"}}}};
    e = errorOf(j);
    QVERIFY2(e.contains("latency.predictor.ridge"), qPrintable(e));
    try {
      findHardwareProfile(defaultHardwareProfiles(), "gpu-x", "p.json");
      QFAIL("expected ConfigError");
    } catch (const ConfigError& err) {
      QVERIFY(QString(err.what()).contains("gpu-x"));
      QVERIFY(QString(err.what()).contains("cpu-1-thread"));  // lists the known names
    }
  }

  void exampleProjectsHaveProfiles() {
    for (const char* name : {"demo", "wmt14-en-de"}) {
      const Project p = Project::load(std::string(AUTOMOE_SOURCE_DIR "/projects/") + name + "/project.json");
      QVERIFY(p.hardwareProfiles.size() >= 2);
      const HardwareProfile h = findHardwareProfile(p.hardwareProfiles, "cpu-1-thread", p.path);
      QCOMPARE(h.srcLen, 30);
      QCOMPARE(h.tgtLen, 30);
      QCOMPARE(h.beam, 5);
      QCOMPARE(findHardwareProfile(p.hardwareProfiles, "cpu-2-threads", p.path).threads, 2);
      const std::string path = latencyDatasetPath(p, h);
      QVERIFY2(QString::fromStdString(path).endsWith(QString("projects/%1/runs/latency/cpu-1-thread.jsonl").arg(name)),
               path.c_str());
    }
  }
};

QTEST_APPLESS_MAIN(TestHardwareProfile)
#include "test_hardware_profile.moc"
