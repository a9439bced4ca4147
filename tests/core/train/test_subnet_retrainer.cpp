// SubnetRetrainer: a fixed subnet trained from fresh weights in its own exact shape, numbered
// checkpoints kept, the last N averaged exactly, resumable, and refusing a run folder made for
// another architecture.
#include <QtTest/QtTest>

#include <filesystem>

#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include "arch/arch_stats.h"
#include "model/super_transformer.h"
#include "support/tiny_training.h"
#include "train/checkpoint.h"
#include "train/subnet_retrainer.h"
#include "util/blas_info.h"
#include "util/config_error.h"

using namespace automoe;

namespace {

struct Quiet : TrainingObserver {
  std::vector<TrainStepStats> steps;
  void onStep(const TrainStepStats& s) override { steps.push_back(s); }
};

int64_t numel(SuperTransformerImpl& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters()) n += p.numel();
  return n;
}

// A mid-sized subnet of the tiny space, different from largest and smallest.
ArchConfig someArch(const Project& p) {
  for (uint64_t seed = 1;; ++seed) {
    ArchConfig a = p.space.sample(seed);
    if (a != p.space.largest() && a != p.space.smallest()) return a;
  }
}

Project retrainProject(int averageLast, int64_t updates, int64_t checkpointEvery) {
  Project p = test::tinyProject();
  p.retrain.averageLast = averageLast;
  p.retrain.training = test::tinyTraining(updates);
  p.retrain.training.checkpointEvery = checkpointEvery;
  p.retrain.training.keepCheckpoints = averageLast;
  return p;
}

}  // namespace

class TestSubnetRetrainer final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  std::string dir(const char* name) { return m_dir.filePath(name).toStdString(); }

 private Q_SLOTS:
  void trainsTheSubnetAloneInItsOwnShape() {
    const Project p = retrainProject(2, 40, 10);
    const ArchConfig arch = someArch(p);
    SubnetRetrainer r(p, arch, test::tinyCorpus(), dir("shape"));
    // Exactly the subnet's parameters: nothing of the supernet beyond it exists.
    const ArchStats stats = computeArchStats(arch, p.space.qkvDim, p.model.vocabSize, 1, 1);
    QCOMPARE(numel(*r.trainer().model()), stats.totalParams);
    QCOMPARE(r.trainer().referenceSubnets().size(), size_t(1));
    QVERIFY(r.trainer().referenceSubnets()[0].second == arch);
    const double before = r.trainer().validate().subnets.at(0).loss;
    QCOMPARE(r.prepare(false), int64_t(0));
    StopToken stop;
    Quiet obs;
    const RetrainOutcome out = r.run(stop, obs);
    QCOMPARE(int(out.train.status), int(TrainStatus::Finished));
    for (const auto& s : obs.steps) QCOMPARE(s.arch, arch.summary());  // every update trained it
    QVERIFY2(out.validLoss < before - 0.3, qPrintable(QString("%1 -> %2").arg(before).arg(out.validLoss)));
  }

  void averagesTheLastCheckpointsExactly() {
    const Project p = retrainProject(3, 50, 10);
    const ArchConfig arch = someArch(p);
    SubnetRetrainer r(p, arch, test::tinyCorpus(), dir("avg"));
    r.prepare(false);
    StopToken stop;
    Quiet obs;
    const RetrainOutcome out = r.run(stop, obs);
    // Checkpoints at 10..50 were written; only the last three are kept and averaged.
    QCOMPARE(out.averagedFrom.size(), size_t(3));
    QVERIFY(out.averagedFrom.back().find("checkpoint_50.pt") != std::string::npos);
    QVERIFY(out.averagedFrom.front().find("checkpoint_30.pt") != std::string::npos);
    QVERIFY(!QFile::exists(QString::fromStdString(dir("avg") + "/checkpoint_20.pt")));

    const ModelShape shape = r.trainer().model()->shape();
    const ModelOptions mo = p.model;
    auto load = [&](const std::string& path) {
      SuperTransformer m(SuperTransformerOptions(shape, mo));
      Checkpoint::load(path, *m, nullptr);
      return m;
    };
    std::vector<SuperTransformer> parts;
    for (const auto& f : out.averagedFrom) parts.push_back(load(f));
    SuperTransformer avg = load(out.averagedCheckpoint);
    const auto ap = avg->named_parameters();
    bool differs = false;
    for (const auto& item : ap) {
      at::Tensor mean = at::zeros_like(item.value());
      for (auto& m : parts) mean += m->named_parameters()[item.key()];
      mean /= 3.0;
      QVERIFY2(at::allclose(item.value(), mean, 1e-6, 1e-6), item.key().c_str());
      differs = differs || !at::equal(item.value(), parts.back()->named_parameters()[item.key()]);
    }
    QVERIFY(differs);  // the average is not just the last checkpoint
    const nlohmann::json meta = Checkpoint::readMeta(out.averagedCheckpoint);
    QCOMPARE(meta.at("averaged_steps"), nlohmann::json({30, 40, 50}));
    // The averaged checkpoint keeps the provenance, BLAS kernel and decision included.
    QCOMPARE(QString::fromStdString(meta.at("provenance").at("blas").dump()),
             QString::fromStdString(detectBlas().toJson().dump()));
  }

  void resumesAndRefusesAnotherArchitecture() {
    const Project p = retrainProject(1, 20, 10);
    const ArchConfig arch = someArch(p);
    {
      SubnetRetrainer r(p, arch, test::tinyCorpus(), dir("resume"));
      r.prepare(false);
      StopToken stop;
      Quiet obs;
      r.run(stop, obs);
    }
    Project longer = p;
    longer.retrain.training.maxUpdates = 30;
    longer.retrain.training.lr.totalUpdates = 30;
    {
      SubnetRetrainer again(longer, arch, test::tinyCorpus(), dir("resume"));
      QCOMPARE(again.prepare(false), int64_t(20));
      // Prepared, it holds the run folder: another retraining there is refused until it is gone.
      SubnetRetrainer meanwhile(longer, arch, test::tinyCorpus(), dir("resume"));
      try {
        meanwhile.prepare(true);  // would remove the checkpoints
        QFAIL("expected ConfigError");
      } catch (const ConfigError& e) {
        QVERIFY2(std::string(e.what()).find(": in use by another job of this process") != std::string::npos, e.what());
      }
      QVERIFY(std::filesystem::exists(again.trainer().lastCheckpointPath()));
    }

    SubnetRetrainer other(p, p.space.smallest(), test::tinyCorpus(), dir("resume"));
    bool refused = false;
    try {
      other.prepare(false);
    } catch (const ConfigError& e) {
      refused = true;
      QVERIFY2(std::string(e.what()).find("different") != std::string::npos ||
                   std::string(e.what()).find("shape") != std::string::npos,
               e.what());
    }
    QVERIFY(refused);
    QCOMPARE(other.prepare(true), int64_t(0));  // --fresh starts over
  }

  void rejectsAnArchitectureOutsideTheSpace() {
    const Project p = retrainProject(1, 5, 5);
    ArchConfig arch = p.space.largest();
    arch.encoder.embedDim += 1;
    QVERIFY_EXCEPTION_THROWN(SubnetRetrainer(p, arch, test::tinyCorpus(), dir("bad")), ConfigError);
  }

  void retrainSectionOverridesTraining() {
    nlohmann::json j = test::tinyProject().toJson();
    j.erase("data");  // defaults follow the model's vocabulary
    j["training"]["max_updates"] = 100;
    j["retrain"] = {{"average_last", 4}, {"training", {{"max_updates", 300}}}};
    const Project p = Project::fromJson(j, "p.json");
    QCOMPARE(p.retrain.training.maxUpdates, int64_t(300));
    QCOMPARE(p.retrain.training.keepCheckpoints, 4);
    QCOMPARE(p.retrain.training.runDir, std::string("runs/retrain"));
    QCOMPARE(p.training.maxUpdates, int64_t(100));
    j["retrain"] = {{"average_last", 0}};
    try {
      Project::fromJson(j, "p.json");
      QFAIL("average_last 0 accepted");
    } catch (const ConfigError& e) {
      QVERIFY2(std::string(e.what()).find("retrain.average_last") != std::string::npos, e.what());
    }
    j["retrain"] = {{"training", {{"max_updates", -1}}}};
    try {
      Project::fromJson(j, "p.json");
      QFAIL("negative max_updates accepted");
    } catch (const ConfigError& e) {
      QVERIFY2(std::string(e.what()).find("retrain.training.max_updates") != std::string::npos, e.what());
    }
  }
};

QTEST_GUILESS_MAIN(TestSubnetRetrainer)
#include "test_subnet_retrainer.moc"
