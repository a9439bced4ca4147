// Trainer: learns, resumes bit-identically, skips non-finite updates, stops cleanly, refuses bad
// checkpoints, logs what it did.
#include <QtTest/QtTest>

#include <ATen/core/grad_mode.h>

#include <QTemporaryDir>
#include <algorithm>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "support/tiny_training.h"
#include "train/checkpoint.h"
#include "model/cpu_gemm.h"
#include "train/trainer.h"
#include "util/config_error.h"
#include "util/cpu_bf16.h"

using namespace automoe;

namespace {

struct Recorder : TrainingObserver {
  std::vector<TrainStepStats> steps;
  std::vector<ValidationStats> validations;
  std::vector<std::string> messages;
  void onStep(const TrainStepStats& s) override { steps.push_back(s); }
  void onValidation(const ValidationStats& v) override { validations.push_back(v); }
  void onMessage(const std::string& m) override { messages.push_back(m); }
};

std::vector<double> losses(const Recorder& r) {
  std::vector<double> out;
  for (const auto& s : r.steps) out.push_back(s.loss);
  return out;
}

}  // namespace

class TestTrainer final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString dir(const char* name) { return m_dir.filePath(name); }

 private Q_SLOTS:
  void validationLossFallsForReferenceSubnets() {
    Trainer t(test::tinyProject(), test::tinyTraining(60), test::tinyCorpus(), dir("learn").toStdString());
    const ValidationStats before = t.validate();
    StopToken stop;
    Recorder rec;
    QCOMPARE(int(t.run(stop, rec).status), int(TrainStatus::Finished));
    const ValidationStats after = t.validate();
    QCOMPARE(after.subnets.size(), size_t(3));  // largest, smallest, random-1
    for (size_t i = 0; i < after.subnets.size(); ++i)
      QVERIFY2(after.subnets[i].loss < before.subnets[i].loss - 0.3,
               qPrintable(QString("%1: %2 -> %3").arg(QString::fromStdString(after.subnets[i].name))
                              .arg(before.subnets[i].loss).arg(after.subnets[i].loss)));
    QCOMPARE(rec.steps.size(), size_t(60));
    QVERIFY(!rec.steps.back().expertLoad.empty());
    QCOMPARE(rec.validations.size(), size_t(1));  // at the last update
  }

  void resumeIsBitIdentical() {
    const auto data = test::tinyCorpus();
    Recorder straight;
    Trainer a(test::tinyProject(), test::tinyTraining(20), data, dir("straight").toStdString());
    StopToken stop;
    a.run(stop, straight);

    Recorder first, second;
    TrainingOptions half = test::tinyTraining(20);
    Trainer b(test::tinyProject(), half, data, dir("split").toStdString());
    for (int i = 0; i < 10; ++i) {
      TrainStepStats s;
      QVERIFY(b.trainStep(s));
      first.steps.push_back(s);
    }
    b.saveCheckpoint(b.lastCheckpointPath());
    Trainer c(test::tinyProject(), half, data, dir("split").toStdString());
    c.resume(b.lastCheckpointPath());
    QCOMPARE(c.step(), int64_t(10));
    c.run(stop, second);

    std::vector<double> joined = losses(first);
    for (double l : losses(second)) joined.push_back(l);
    QCOMPARE(joined.size(), size_t(20));
    for (size_t i = 0; i < 20; ++i)
      QVERIFY2(joined[i] == losses(straight)[i], qPrintable(QString("update %1 differs").arg(i + 1)));
    const auto pa = a.model()->named_parameters(), pc = c.model()->named_parameters();
    for (const auto& kv : pa) QVERIFY2(at::equal(kv.value(), pc[kv.key()]), kv.key().c_str());
  }

  void gradientClippingScalesTheUpdate_data() {
    QTest::addColumn<QString>("precision");
    QTest::newRow("fp32") << "fp32";
    QTest::newRow("bf16") << "bf16";
  }

  void gradientClippingScalesTheUpdate() {
    // Adam is nearly blind to a gradient's scale, except through eps: a clip norm of 1e-12 shrinks
    // every gradient entry far below eps (1e-8), so the parameters hardly move; a clip norm no
    // gradient reaches changes nothing, bit for bit.
    // In bf16 the weight gradients reach the clipping in bf16 (SliceRecorder::gradientSink).
    QFETCH(QString, precision);
    const auto data = test::tinyCorpus();
    auto train = [&](double clipNorm, const char* name) {
      TrainingOptions o = test::tinyTraining(3);
      o.clipNorm = clipNorm;
      o.precision = precision.toStdString();
      Trainer t(test::tinyProject(), o, data, m_dir.filePath(QString(name) + "-" + precision).toStdString());
      std::map<std::string, at::Tensor> before;
      for (const auto& kv : t.model()->named_parameters()) before[kv.key()] = kv.value().detach().clone();
      for (int i = 0; i < 3; ++i) {
        TrainStepStats s;
        if (!t.trainStep(s)) return std::make_pair(-1.0, std::map<std::string, at::Tensor>());
      }
      double moved = 0;
      std::map<std::string, at::Tensor> after;
      for (const auto& kv : t.model()->named_parameters()) {
        after[kv.key()] = kv.value().detach().clone();
        moved = std::max(moved, (after[kv.key()] - before[kv.key()]).abs().max().item<double>());
      }
      return std::make_pair(moved, after);
    };
    const auto [free, freeParams] = train(0.0, "clip-off");
    const auto [loose, looseParams] = train(1e9, "clip-loose");
    const auto [tight, tightParams] = train(1e-12, "clip-tight");
    QVERIFY(free > 1e-3);
    QVERIFY2(tight < 1e-3 * free, qPrintable(QString("%1 vs %2").arg(tight).arg(free)));
    QCOMPARE(loose, free);
    for (const auto& kv : freeParams) QVERIFY2(at::equal(kv.second, looseParams.at(kv.first)), kv.first.c_str());
  }

  void nonFiniteLossesAreSkippedThenStop() {
    TrainingOptions o = test::tinyTraining(30);
    o.maxBadSteps = 3;
    Trainer t(test::tinyProject(), o, test::tinyCorpus(), dir("nan").toStdString());
    TrainStepStats s;
    QVERIFY(t.trainStep(s));
    {
      at::NoGradGuard noGrad;
      t.model()->embed_tokens->weight.fill_(std::numeric_limits<float>::quiet_NaN());
    }
    StopToken stop;
    Recorder rec;
    const TrainResult r = t.run(stop, rec);
    QCOMPARE(int(r.status), int(TrainStatus::Diverged));
    QCOMPARE(r.step, int64_t(1));  // no update after the poisoning
    QCOMPARE(rec.messages.size(), size_t(3));
    QVERIFY(QString::fromStdString(r.message).contains("3 updates in a row"));
    QVERIFY(QFile::exists(QString::fromStdString(t.lastCheckpointPath())));
  }

  void stopRequestSavesACheckpoint() {
    Trainer t(test::tinyProject(), test::tinyTraining(50), test::tinyCorpus(), dir("stop").toStdString());
    struct StopAfter : Recorder {
      StopToken* token = nullptr;
      void onStep(const TrainStepStats& s) override {
        Recorder::onStep(s);
        if (s.step == 4) token->requestStop();
      }
    } rec;
    StopToken stop;
    rec.token = &stop;
    const TrainResult r = t.run(stop, rec);
    QCOMPARE(int(r.status), int(TrainStatus::Stopped));
    QCOMPARE(r.step, int64_t(4));
    QCOMPARE(Checkpoint::readMeta(t.lastCheckpointPath()).at("step").get<int64_t>(), int64_t(4));
  }

  void badCheckpointsAreRefused() {
    Trainer t(test::tinyProject(), test::tinyTraining(2), test::tinyCorpus(), dir("bad").toStdString());
    const std::string good = t.lastCheckpointPath();
    t.saveCheckpoint(good);
    // Truncated file.
    std::ifstream in(good, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    const std::string cut = dir("bad/truncated.pt").toStdString();
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    try {
      t.resume(cut);
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).contains("corrupt or truncated"), e.what());
    }
    // A checkpoint of a different model shape.
    Project other = test::tinyProject();
    other.space.decoder.layers = {1, 2};
    Trainer o(other, test::tinyTraining(2), test::tinyCorpus(), dir("other").toStdString());
    o.saveCheckpoint(o.lastCheckpointPath());
    try {
      t.resume(o.lastCheckpointPath());
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).contains("different model"), e.what());
      QVERIFY2(QString(e.what()).contains("/decoder/layers"), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(ConfigError, t.resume(dir("bad/missing.pt").toStdString()));

    // Same shape, another seed (so other weights) or another search space: refused with the reason,
    // and the refused checkpoint's weights are not left behind in the model.
    std::vector<at::Tensor> before;
    for (const auto& p : t.model()->parameters()) before.push_back(p.detach().clone());
    auto refusedLeavesModel = [&](const Project& project, const char* folder, const QString& reason) {
      Trainer x(project, test::tinyTraining(2), test::tinyCorpus(), dir(folder).toStdString());
      x.saveCheckpoint(x.lastCheckpointPath());
      try {
        t.resume(x.lastCheckpointPath());
        QFAIL("expected ConfigError");
      } catch (const ConfigError& e) {
        QVERIFY2(QString(e.what()).contains(reason), e.what());
      }
      const auto after = t.model()->parameters();
      for (size_t i = 0; i < before.size(); ++i) QVERIFY(at::equal(before[i], after[i]));
      QCOMPARE(t.step(), int64_t(0));
    };
    Project seeded = test::tinyProject();
    seeded.seed = 99;
    refusedLeavesModel(seeded, "seed", "seed 99");
    Project spaced = test::tinyProject();
    auto js = spaced.space.toJson();
    js["encoder"]["layers"] = {1, 3};  // same largest subnet, so the same shape
    spaced.space = SearchSpace::fromJson(js, "spaced");
    refusedLeavesModel(spaced, "space", "different search space");
    // What makes the checks above able to fail: the other seed's checkpoint holds other weights.
    Trainer x(seeded, test::tinyTraining(2), test::tinyCorpus(), dir("seed2").toStdString());
    const auto others = x.model()->parameters();
    QVERIFY(std::any_of(others.begin(), others.end(), [&](const at::Tensor& p) {
      return !at::equal(p, before[static_cast<size_t>(&p - others.data())]);
    }));
  }

  void logsMetricsAndProvenance() {
    Trainer t(test::tinyProject(), test::tinyTraining(10), test::tinyCorpus(), dir("log").toStdString());
    StopToken stop;
    Recorder rec;
    t.run(stop, rec);
    std::ifstream metrics(dir("log/metrics.jsonl").toStdString());
    std::string line;
    int train = 0, valid = 0;
    while (std::getline(metrics, line)) {
      const auto j = nlohmann::json::parse(line);
      if (j["type"] == "train") {
        ++train;
        QVERIFY(j.contains("lr") && j.contains("target_tokens_per_second") && j.contains("expert_load"));
        QVERIFY(j["aux_terms"].contains("balance"));
      }
      valid += j["type"] == "valid";
    }
    QCOMPARE(train, 3);  // updates 1, 5, 10
    QCOMPARE(valid, 1);
    std::ifstream runJson(dir("log/run.json").toStdString());
    const auto run = nlohmann::json::parse(runJson);
    QCOMPARE(run["provenance"]["seed"].get<uint64_t>(), uint64_t(5));
    QVERIFY(run["provenance"].contains("torch_version"));
    QVERIFY(run["provenance"]["blas"].contains("core"));
    const std::string gemm = run["provenance"]["cpu_gemm"].get<std::string>();  // training.cpu_gemm "auto"
    QVERIFY2(gemm == (oneDnnGemmCompiledIn() ? "onednn " + oneDnnVersion() : std::string("blas")), gemm.c_str());
    QCOMPARE(run["provenance"]["cpu_bf16"].get<std::string>(), cpuBf16Name(cpuBf16Support()));
    QVERIFY(rec.messages.empty());  // fp32: no bf16 warning
  }

  void bf16MixedPrecisionKeepsFp32MasterWeights() {
    TrainingOptions o = test::tinyTraining(30);
    o.precision = "bf16";
    Trainer t(test::tinyProject(), o, test::tinyCorpus(), dir("bf16").toStdString());
    const ValidationStats before = t.validate();
    StopToken stop;
    Recorder rec;
    QCOMPARE(int(t.run(stop, rec).status), int(TrainStatus::Finished));
    for (const auto& p : t.model()->parameters()) QCOMPARE(p.scalar_type(), at::kFloat);
    for (const auto& s : rec.steps) QVERIFY(std::isfinite(s.loss));
    const ValidationStats after = t.validate();
    QVERIFY(after.subnets[0].loss < before.subnets[0].loss);
    // On a CPU where bf16 products take LibTorch's reference loops the run says so, once.
    const bool slow = cpuBf16Support() == CpuBf16::Reference;
    QCOMPARE(int(std::count_if(rec.messages.begin(), rec.messages.end(),
                               [](const std::string& m) { return m.find("training.precision is bf16") != std::string::npos; })),
             slow ? 1 : 0);
  }

  void sandwichTrainsThreeSubnetsPerUpdate() {
    TrainingOptions o = test::tinyTraining(1);
    o.sampling = "sandwich";
    Trainer t(test::tinyProject(), o, test::tinyCorpus(), dir("sandwich").toStdString());
    const auto before = t.model()->named_parameters()["encoder.layers.2.moe.experts.3.fc1.weight"].clone();
    TrainStepStats s;
    QVERIFY(t.trainStep(s));
    // The largest subnet is always part of a sandwich step, so its last expert moved.
    QVERIFY(!at::equal(before, t.model()->named_parameters()["encoder.layers.2.moe.experts.3.fc1.weight"]));
  }
};

QTEST_APPLESS_MAIN(TestTrainer)
#include "test_trainer.moc"
