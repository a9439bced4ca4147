// planPipeline: stage order, and a change to a project section invalidates exactly the stages that
// read it and the ones after them.
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include "pipeline/pipeline_plan.h"
#include "support/tiny_training.h"

using namespace automoe;

namespace {

std::map<std::string, std::string> fingerprints(const nlohmann::json& p) {
  std::map<std::string, std::string> out;
  for (const auto& s : planPipeline(p, "cpu-1-thread")) out[s.name] = s.fingerprint;
  return out;
}

// Names of the stages whose fingerprint differs.
QStringList changed(const nlohmann::json& a, const nlohmann::json& b) {
  const auto fa = fingerprints(a), fb = fingerprints(b);
  QStringList out;
  for (const auto& s : planPipeline(a, "cpu-1-thread"))
    if (fa.at(s.name) != fb.at(s.name)) out << QString::fromStdString(s.name);
  return out;
}

}  // namespace

class TestPipelinePlan final : public QObject {
  Q_OBJECT

  nlohmann::json m_base = test::tinyProject().toJson();

 private Q_SLOTS:
  void stagesInOrder() {
    QStringList names;
    for (const auto& s : planPipeline(m_base, "cpu-1-thread")) {
      names << QString::fromStdString(s.name);
      QCOMPARE(s.fingerprint.size(), size_t(16));
    }
    QCOMPARE(names, QStringList({"corpus", "tokenizer", "supernet", "latency", "predictor", "search", "export",
                                 "retrain", "evaluate"}));
    QCOMPARE(changed(m_base, m_base), QStringList());  // deterministic
  }

  void changesInvalidateDownstreamOnly() {
    nlohmann::json p = m_base;
    p["training"]["max_updates"] = 12345;
    // The latency stages do not read the supernet; retrain reads the training section too.
    QCOMPARE(changed(m_base, p), QStringList({"supernet", "search", "export", "retrain", "evaluate"}));

    p = m_base;
    p["latency"]["dataset_samples"] = 7;
    QCOMPARE(changed(m_base, p), QStringList({"latency", "predictor", "search", "export", "retrain", "evaluate"}));

    p = m_base;
    p["retrain"]["average_last"] = 9;
    QCOMPARE(changed(m_base, p), QStringList({"retrain", "evaluate"}));

    p = m_base;
    p["search_space"]["encoder"]["layers"] = {1};
    QCOMPARE(changed(m_base, p), QStringList({"supernet", "latency", "predictor", "search", "export", "retrain",
                                              "evaluate"}));
  }

  void otherProfilesDoNotMatter() {
    nlohmann::json p = m_base;
    p["hardware_profiles"].push_back({{"name", "other"}, {"threads", 2}});
    // Only evaluate (which reports every profile) changes.
    QCOMPARE(changed(m_base, p), QStringList({"evaluate"}));
  }
};

QTEST_GUILESS_MAIN(TestPipelinePlan)
#include "test_pipeline_plan.moc"
