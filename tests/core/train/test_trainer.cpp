// Trainer: learns, resumes bit-identically, skips non-finite updates, stops cleanly, keeps the last
// checkpoint when the disk is full, refuses bad checkpoints, logs what it did (dropped tokens,
// skipped updates, BLAS provenance in checkpoints), accumulates micro-batches as one batch, trains
// three subnets per sandwich update.
#include <QtTest/QtTest>

#include <ATen/core/grad_mode.h>

#include <QTemporaryDir>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include <torch/serialize/input-archive.h>

#include "support/equivalent_batches.h"
#include "support/file_size_limit.h"
#include "support/recording_observer.h"
#include "support/tiny_training.h"
#include "train/checkpoint.h"
#include "train/collective.h"
#include "model/bf16_weight_shadow.h"
#include "model/cpu_gemm.h"
#include "model/onednn_bf16_matmul.h"
#include "model/slice_linear.h"
#include "train/label_smoothed_loss.h"
#include "train/trainer.h"
#include "util/blas_info.h"
#include "util/config_error.h"
#include "util/cpu_bf16.h"
#include "util/file_write_error.h"

using namespace automoe;

namespace {

using Recorder = test::RecordingObserver;

std::vector<double> losses(const Recorder& r) {
  std::vector<double> out;
  for (const auto& s : r.steps) out.push_back(s.loss);
  return out;
}

std::vector<nlohmann::json> trainLines(const std::string& metricsPath) {
  std::ifstream in(metricsPath);
  std::vector<nlohmann::json> out;
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    if (j["type"] == "train") out.push_back(std::move(j));
  }
  return out;
}

// Adam's moments as a checkpoint holds them: "m.<parameter>" and "v.<parameter>".
std::map<std::string, at::Tensor> adamMoments(const std::string& checkpoint, Trainer& t) {
  torch::serialize::InputArchive in;
  in.load_from(checkpoint);
  std::map<std::string, at::Tensor> out;
  for (const auto& p : t.model()->named_parameters())
    for (const char* which : {"m", "v"}) {
      at::Tensor x;
      if (in.try_read(std::string("adam.") + which + "." + p.key(), x)) out[std::string(which) + "." + p.key()] = x;
    }
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

  // In bf16 on the CPU the products read bf16 weight shadows: a resumed trainer's must hold the
  // checkpoint's weights, not the fresh ones it was built with (bf16_weight_shadow.h).
  void resumeIsBitIdentical_data() {
    QTest::addColumn<QString>("precision");
    QTest::newRow("fp32") << "fp32";
    QTest::newRow("bf16") << "bf16";
  }
  void resumeIsBitIdentical() {
    QFETCH(QString, precision);
    const auto data = test::tinyCorpus();
    Recorder straight;
    TrainingOptions o = test::tinyTraining(20);
    o.precision = precision.toStdString();
    const std::string tag = precision.toStdString();
    Trainer a(test::tinyProject(), o, data, dir(("straight-" + tag).c_str()).toStdString());
    StopToken stop;
    a.run(stop, straight);

    Recorder first, second;
    TrainingOptions half = o;
    Trainer b(test::tinyProject(), half, data, dir(("split-" + tag).c_str()).toStdString());
    for (int i = 0; i < 10; ++i) {
      TrainStepStats s;
      QVERIFY(b.trainStep(s));
      first.steps.push_back(s);
    }
    b.saveCheckpoint(b.lastCheckpointPath());
    Trainer c(test::tinyProject(), half, data, dir(("split-" + tag).c_str()).toStdString());
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
    t.saveCheckpoint(t.lastCheckpointPath());
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
    // NaN weights are not saved over the last good checkpoint.
    QVERIFY2(QString::fromStdString(r.message).contains("(the weights are not finite; the checkpoint of update 1 is kept)"),
             r.message.c_str());
    Trainer reloaded(test::tinyProject(), o, test::tinyCorpus(), dir("nan").toStdString());
    reloaded.resume(t.lastCheckpointPath());
    QCOMPARE(reloaded.step(), int64_t(1));
    QVERIFY(at::isfinite(reloaded.model()->embed_tokens->weight).all().item<bool>());
  }

  // A gradient that overflows with a finite loss (here: as if another rank's did, through the
  // all-reduce) is skipped like a non-finite loss when clip_norm measures it: applied, it would
  // turn weights into NaN for good, and the diverged run's checkpoint would keep them.
  void nonFiniteGradientsAreSkipped() {
    struct PoisoningCollective final : Collective {
      bool poison = false;
      int rank() const override { return 0; }
      int worldSize() const override { return 1; }
      std::string backendName() const override { return "test"; }
      void allReduceSum(std::vector<at::Tensor>& tensors) override {
        if (poison && tensors.size() > 1) tensors[1].view(-1)[0] = std::numeric_limits<float>::infinity();  // gradients
      }
      void allReduceMax(at::Tensor&) override {}
    } collective;
    TrainingOptions o = test::tinyTraining(30);
    o.maxBadSteps = 2;
    o.clipNorm = 1.0;
    Trainer t(test::tinyProject(), o, test::tinyCorpus(), dir("nan-grad").toStdString(), &collective);
    TrainStepStats s;
    QVERIFY(t.trainStep(s));
    std::vector<at::Tensor> before;
    for (const auto& p : t.model()->parameters()) before.push_back(p.detach().clone());
    collective.poison = true;
    StopToken stop;
    Recorder rec;
    const TrainResult r = t.run(stop, rec);
    QCOMPARE(int(r.status), int(TrainStatus::Diverged));
    QCOMPARE(r.step, int64_t(1));
    QCOMPARE(rec.messages, std::vector<std::string>({"update 2: non-finite gradient, skipped (1 in a row)",
                                                     "update 2: non-finite gradient, skipped (2 in a row)"}));
    QVERIFY(QString::fromStdString(r.message).startsWith("the loss or its gradient was not finite in 2 updates in a row"));
    const auto after = t.model()->parameters();
    for (size_t i = 0; i < before.size(); ++i) QVERIFY(at::equal(before[i], after[i]));
    // The same run without the overflow goes on.
    collective.poison = false;
    QVERIFY(t.trainStep(s));
    QCOMPARE(t.step(), int64_t(2));
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

  // A checkpoint the disk cannot take (here a file-size limit) ends the run with a message naming
  // the file, the reason and the update to resume from; the checkpoint before it stays whole (this
  // used to end the process: LibTorch's file writer throws from a destructor).
  void aFullDiskKeepsTheLastCheckpoint() {
    TrainingOptions o = test::tinyTraining(8);
    o.checkpointEvery = 4;
    const std::string runDir = dir("full").toStdString();
    Trainer t(test::tinyProject(), o, test::tinyCorpus(), runDir);
    struct FillDiskAfterFirst : Recorder {
      std::unique_ptr<automoe::testing::FileSizeLimit> limit;
      void onCheckpoint(const std::string& path, int64_t) override {
        if (!limit) limit = std::make_unique<automoe::testing::FileSizeLimit>(std::filesystem::file_size(path) / 2);
      }
    } rec;
    StopToken stop;
    try {
      t.run(stop, rec);
      QFAIL("expected FileWriteError");
    } catch (const FileWriteError& e) {
      const QString expected = QString::fromStdString(t.lastCheckpointPath() + ": cannot write: " + std::strerror(EFBIG) +
                                                      " (a file there before is unchanged); training stopped at "
                                                      "update 8, a run resumes from update 4");
      QCOMPARE(QString(e.what()), expected);
    }
    rec.limit.reset();
    QCOMPARE(QDir(dir("full")).entryList({"*.tmp*"}, QDir::Files), QStringList());
    Trainer resumed(test::tinyProject(), o, test::tinyCorpus(), runDir);
    resumed.resume(t.lastCheckpointPath());
    QCOMPARE(resumed.step(), int64_t(4));
    QCOMPARE(int(resumed.run(stop, rec).status), int(TrainStatus::Finished));
    QCOMPARE(Checkpoint::readMeta(t.lastCheckpointPath()).at("step").get<int64_t>(), int64_t(8));
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

    // A header whose fields have other types (a hand-edited or damaged header): refused naming the
    // field, not the JSON library's type error.
    const nlohmann::json meta = Checkpoint::readMeta(good);
    for (const auto& [field, value, reason] :
         std::vector<std::tuple<const char*, nlohmann::json, const char*>>{
             {"step", "12", "field 'step'"},
             {"batch_index", -3, "negative"},
             {"search_space", 5, "different search space"},
             {"provenance", "x", "seed null"}}) {
      nlohmann::json edited = meta;
      edited[field] = value;
      const std::string path = dir("bad/edited.pt").toStdString();
      Checkpoint::save(path, *t.model(), nullptr, edited);
      try {
        t.resume(path);
        QFAIL(field);
      } catch (const ConfigError& e) {
        QVERIFY2(QString(e.what()).contains(reason), e.what());
      }
    }

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

  // One changed byte in a weight's data, the zip structure intact: LibTorch alone would load the
  // other value (a mutation fuzz resumed a retraining into a NaN weight this way). Refused by the
  // CRC-32 check, naming the member, with the model left as it was.
  void aChangedWeightByteIsRefused() {
    Trainer t(test::tinyProject(), test::tinyTraining(2), test::tinyCorpus(), dir("flip").toStdString());
    const float mark = 1234.5f;
    {
      at::NoGradGuard noGrad;
      t.model()->parameters()[0].view(-1).narrow(0, 0, 4).fill_(mark);
    }
    const std::string path = t.lastCheckpointPath();
    t.saveCheckpoint(path);
    std::vector<at::Tensor> before;
    for (const auto& p : t.model()->parameters()) before.push_back(p.detach().clone());
    std::string bytes;
    {
      std::ifstream in(path, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::string pattern(4 * sizeof(float), '\0');
    for (int i = 0; i < 4; ++i) std::memcpy(&pattern[i * sizeof(float)], &mark, sizeof(float));
    const size_t at = bytes.find(pattern);
    QVERIFY(at != std::string::npos);
    bytes[at + 3] = static_cast<char>(bytes[at + 3] ^ 0x40);  // an exponent bit of the first marked weight
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    {
      at::NoGradGuard noGrad;
      for (const auto& p : t.model()->parameters()) p.add_(1.0);  // so a load would show
    }
    std::vector<at::Tensor> moved;
    for (const auto& p : t.model()->parameters()) moved.push_back(p.detach().clone());
    try {
      t.resume(path);
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).contains("does not match its CRC-32"), e.what());
      QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(path)), e.what());
    }
    const auto after = t.model()->parameters();
    for (size_t i = 0; i < moved.size(); ++i) QVERIFY(at::equal(moved[i], after[i]));
    QCOMPARE(t.step(), int64_t(0));
    // The same byte restored: the checkpoint loads, with the saved weights.
    bytes[at + 3] = static_cast<char>(bytes[at + 3] ^ 0x40);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    t.resume(path);
    for (size_t i = 0; i < before.size(); ++i) QVERIFY(at::equal(before[i], t.model()->parameters()[i]));
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
    QCOMPARE(run["provenance"]["cpu_bf16_products"].get<std::string>(),
             std::string(cpuBf16Support() == CpuBf16::Reference ? "fp32_gemm" : "libtorch"));
    // Training's linear layers: straight through oneDNN where it can (no padding rows).
    QCOMPARE(run["provenance"]["cpu_bf16_training_products"].get<std::string>(),
             std::string(cpuBf16Support() == CpuBf16::Reference ? "fp32_gemm"
                         : oneDnnBf16MatmulAvailable()          ? "onednn_direct"
                                                                : "libtorch"));
    QCOMPARE(run["provenance"]["cpu_bf16_weight_shadows"].get<bool>(), false);  // fp32: none
    QVERIFY(rec.messages.empty());  // fp32: no bf16 warning
  }

  // metrics.jsonl holds the run's own history: a run resumed after a crash does not log the updates
  // between its checkpoint and the crash twice, and a fresh run does not append to the old run.
  void metricsHoldEachUpdateOnce() {
    const auto data = test::tinyCorpus();
    TrainingOptions o = test::tinyTraining(8);
    o.logEvery = 1;
    o.checkpointEvery = 4;
    const std::string run = dir("metrics-once").toStdString(), metrics = run + "/metrics.jsonl";
    auto steps = [&] {
      std::vector<int64_t> s;
      for (const auto& j : trainLines(metrics)) s.push_back(j["step"].get<int64_t>());
      return s;
    };
    const std::vector<int64_t> oneToEight = {1, 2, 3, 4, 5, 6, 7, 8};
    StopToken stop;
    {
      // A crash after update 6: the checkpoint of update 4 is what a new run finds.
      struct KeepFourth final : Recorder {
        std::string copy;
        void onCheckpoint(const std::string& p, int64_t step) override {
          if (step == 4) std::filesystem::copy_file(p, copy, std::filesystem::copy_options::overwrite_existing);
        }
      } keep;
      keep.copy = run + "/update4.pt";
      Trainer t(test::tinyProject(), o, data, run);
      t.run(stop, keep);
      QCOMPARE(steps(), oneToEight);
      std::filesystem::rename(keep.copy, t.lastCheckpointPath());
      std::ofstream(metrics, std::ios::app) << "{\"type\": \"train\", \"st";  // a line cut short
    }
    Recorder rec;
    Trainer resumed(test::tinyProject(), o, data, run);
    resumed.resume(resumed.lastCheckpointPath());
    QCOMPARE(resumed.step(), int64_t(4));
    resumed.run(stop, rec);
    QCOMPARE(steps(), oneToEight);
    QCOMPARE(rec.messages.size(), size_t(1));
    QCOMPARE(QString::fromStdString(rec.messages[0]),
             QString::fromStdString(metrics + ": dropped 6 line(s) past update 4, where this run resumes"));  // 5-8, the valid line, the cut one

    // A fresh run in the same folder (no resume) starts the file over.
    Recorder fresh;
    TrainingOptions two = o;
    two.maxUpdates = 2;
    Trainer again(test::tinyProject(), two, data, run);
    again.run(stop, fresh);
    QCOMPARE(steps(), std::vector<int64_t>({1, 2}));
    QVERIFY(QString::fromStdString(fresh.messages.at(0)).endsWith("past update 0, where this run starts"));
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
    // On a CPU without bf16 products (taken through fp32) the run says so, once.
    const bool slow = cpuBf16Support() == CpuBf16::Reference;
    QCOMPARE(int(std::count_if(rec.messages.begin(), rec.messages.end(),
                               [](const std::string& m) { return m.find("training.precision is bf16") != std::string::npos; })),
             slow ? 1 : 0);
  }

  // bf16 products read weights from bf16 shadows the optimizer keeps, where they go straight through
  // oneDNN: the same bf16 values as casting each weight per use, so the same run to the bit.
  void bf16WeightShadowsChangeNoResult() {
    if (sliceLinearCpuBf16Products() != "onednn_direct") QSKIP("bf16 products here do not go through oneDNN directly");
    const auto data = test::tinyCorpus();
    TrainingOptions o = test::tinyTraining(12);
    o.precision = "bf16";
    o.updateFreq = 2;  // two forward/backward passes per update share the shadows
    StopToken stop;
    Recorder with, without;
    Trainer a(test::tinyProject(), o, data, dir("shadow-on").toStdString());
    a.run(stop, with);
    setBf16WeightShadows(false);
    Trainer b(test::tinyProject(), o, data, dir("shadow-off").toStdString());
    b.run(stop, without);
    setBf16WeightShadows(true);
    QCOMPARE(losses(with).size(), size_t(12));
    QVERIFY(losses(with) == losses(without));
    const auto pa = a.model()->named_parameters(), pb = b.model()->named_parameters();
    for (const auto& kv : pa) QVERIFY2(at::equal(kv.value(), pb[kv.key()]), kv.key().c_str());
    QVERIFY(a.validate().subnets[0].loss == b.validate().subnets[0].loss);
    auto shadows = [&](const char* run) {
      std::ifstream in(dir(run).toStdString() + "/run.json");
      return nlohmann::json::parse(in)["provenance"]["cpu_bf16_weight_shadows"].get<bool>();
    };
    QVERIFY(shadows("shadow-on"));
    QVERIFY(!shadows("shadow-off"));
  }

  void sandwichTrainsThreeSubnetsPerUpdate() {
    // The update's loss is the per-token loss of the largest, the smallest and the random subnet
    // on the update's batch, averaged: recomputed here from the weights before the update (no
    // dropout, so the forward passes are the trainer's). One subnet per update (uniform, or the
    // largest alone) would report that subnet's loss, which differs from the mean by far more
    // than float rounding (checked).
    TrainingOptions o = test::tinyTraining(1);
    o.sampling = "sandwich";
    const Project p = test::deterministicProject();
    const auto data = test::tinyCorpus();
    Trainer t(p, o, data, dir("sandwich").toStdString());
    const std::vector<ArchConfig> archs = SubnetSampler(p.space, "sandwich", p.seed).forStep(0);
    QVERIFY(archs.at(0) == p.space.largest() && archs.at(1) == p.space.smallest());
    const TrainBatch batch = data->trainBatch(0, 0);  // the first update's batch
    std::vector<double> perSubnet;
    {
      at::NoGradGuard noGrad;
      t.model()->train();
      for (const ArchConfig& arch : archs) {
        const ModelOutput out = t.model()->forward(batch.src, batch.prevOutput, arch, ForwardContext{0, o.maxUpdates});
        perSubnet.push_back(labelSmoothedLoss(out.logits, batch.target, o.labelSmoothing, kPadIndex).loss.item<double>() /
                            static_cast<double>(batch.targetTokens));
      }
    }
    const double mean = (perSubnet[0] + perSubnet[1] + perSubnet[2]) / 3.0;
    for (double l : perSubnet) QVERIFY2(std::abs(l - mean) > 1e-3 * mean, qPrintable(QString("%1 vs mean %2").arg(l).arg(mean)));

    const auto before = t.model()->named_parameters()["encoder.layers.2.moe.experts.3.fc1.weight"].clone();
    TrainStepStats s;
    QVERIFY(t.trainStep(s));
    QVERIFY2(std::abs(s.loss - mean) < 1e-5 * mean,
             qPrintable(QString("update loss %1; subnets %2 %3 %4").arg(s.loss).arg(perSubnet[0]).arg(perSubnet[1]).arg(perSubnet[2])));
    QCOMPARE(s.targetTokens, batch.targetTokens);  // the batch's tokens, each trained by three subnets
    QCOMPARE(QString::fromStdString(s.arch), QString::fromStdString(p.space.largest().summary()));
    // The largest subnet is always part of a sandwich step, so its last expert moved.
    QVERIFY(!at::equal(before, t.model()->named_parameters()["encoder.layers.2.moe.experts.3.fc1.weight"]));
  }

  void gradientAccumulationEqualsOneUpdateOnTheConcatenatedBatch() {
    // update_freq = 2 over batches 2i and 2i+1 against update_freq = 1 over their concatenation:
    // the loss is per target token of the whole update, so the gradients are the same sums in
    // another order. Compared: the reported losses, Adam's moments (m = (1 - beta1) g after the
    // first update: linear in the gradient, so a mis-normalised accumulation, e.g. each
    // micro-batch divided by its own token count, shows there even though Adam's steps are blind
    // to a gradient's scale), and the parameters after three updates.
    // Tolerances: float summation order only (two backward passes accumulated against one over
    // the padded concatenation); as for data-parallel ranks: parameters within 1e-5 (lr 3e-3 per
    // update), losses within 1e-6 relative, each moment tensor within 1e-4 of its largest entry.
    const int steps = 3;
    const auto data = test::tinyCorpus(64);
    bool unequal = false;  // micro-batches of different sizes (a mean of means would differ)
    for (size_t i = 0; i < 2 * steps; i += 2)
      unequal = unequal || data->trainBatch(0, i).targetTokens != data->trainBatch(0, i + 1).targetTokens;
    QVERIFY(unequal);
    const TrainingOptions o = test::tinyTraining(steps);
    TrainingOptions accumulating = o;
    accumulating.updateFreq = 2;
    Trainer whole(test::deterministicProject(), o, std::make_shared<test::DoubledBatches>(data), dir("accum-whole").toStdString());
    Trainer parts(test::deterministicProject(), accumulating, data, dir("accum-parts").toStdString());
    std::map<std::string, at::Tensor> momentsWhole, momentsParts;
    for (int i = 0; i < steps; ++i) {
      TrainStepStats a, b;
      QVERIFY(whole.trainStep(a));
      QVERIFY(parts.trainStep(b));
      QCOMPARE(b.targetTokens, a.targetTokens);
      QVERIFY2(std::abs(a.loss - b.loss) < 1e-6 * a.loss, qPrintable(QString("update %1: %2 vs %3").arg(i + 1).arg(a.loss).arg(b.loss)));
      if (i == 0) {
        whole.saveCheckpoint(whole.lastCheckpointPath());
        parts.saveCheckpoint(parts.lastCheckpointPath());
        momentsWhole = adamMoments(whole.lastCheckpointPath(), whole);
        momentsParts = adamMoments(parts.lastCheckpointPath(), parts);
      }
    }
    QCOMPARE(momentsParts.size(), momentsWhole.size());
    QVERIFY(momentsWhole.size() > 50);
    double worstMoment = 0;
    for (const auto& [name, m] : momentsWhole) {
      const double scale = m.abs().max().item<double>();
      if (scale == 0) continue;
      worstMoment = std::max(worstMoment, (momentsParts.at(name) - m).abs().max().item<double>() / scale);
    }
    QVERIFY2(worstMoment < 1e-4, qPrintable(QString("moments differ by %1 of their largest entry").arg(worstMoment)));
    double worst = 0;
    const auto ref = whole.model()->named_parameters();
    for (const auto& kv : parts.model()->named_parameters())
      worst = std::max(worst, (kv.value() - ref[kv.key()]).abs().max().item<double>());
    QVERIFY2(worst < 1e-5, qPrintable(QString("max parameter difference %1").arg(worst)));
    qInfo("accumulation vs concatenation: moments %g relative, parameters %g", worstMoment, worst);
  }

  void metricsReportDroppedTokens_data() {
    QTest::addColumn<double>("capacityFactor");
    QTest::newRow("capacity-1") << 1e-3;  // ceil(cf * tokens / experts) = 1 token per expert
    QTest::newRow("unlimited") << 0.0;
  }

  void metricsReportDroppedTokens() {
    // Switch routers only, sandwich sampling: every update's first subnet (the one whose routing
    // the metrics report) is the largest, 3 + 3 routed layers. With a capacity of one token per
    // expert, each layer keeps one token per expert that got any (the experts with a non-zero
    // share in expert_load) and drops the rest of its real tokens.
    QFETCH(double, capacityFactor);
    Project p = test::tinyProject();
    p.space.encoder.routers = {"switch_top1"};
    p.space.decoder.routers = {"switch_top1"};
    p.model.routing.switchTop1.capacityFactor = capacityFactor;
    TrainingOptions o = test::tinyTraining(5);
    o.sampling = "sandwich";
    const auto data = test::tinyCorpus();
    QVERIFY(data->numTrainBatches(0) >= 5);  // update s trains batch s - 1 of epoch 0
    const QString run = dir("dropped") + QString::number(capacityFactor);
    Trainer t(p, o, data, run.toStdString());
    StopToken stop;
    Recorder rec;
    QCOMPARE(int(t.run(stop, rec).status), int(TrainStatus::Finished));
    const std::vector<nlohmann::json> lines = trainLines((run + "/metrics.jsonl").toStdString());
    QCOMPARE(lines.size(), size_t(2));  // updates 1 and 5
    const ArchConfig largest = p.space.largest();
    for (const auto& j : lines) {
      const int64_t step = j["step"].get<int64_t>();
      const TrainBatch b = data->trainBatch(0, static_cast<size_t>(step - 1));
      const auto load = j["expert_load"].get<std::vector<std::vector<double>>>();
      QCOMPARE(load.size(), size_t(largest.encoder.numLayers() + largest.decoder.numLayers()));
      int64_t expected = 0, atLeast = 0;
      for (size_t l = 0; l < load.size(); ++l) {
        const bool encoder = l < size_t(largest.encoder.numLayers());
        const int64_t tokens = encoder ? b.sourceTokens : b.targetTokens;
        const int64_t used = std::count_if(load[l].begin(), load[l].end(), [](double x) { return x > 0; });
        expected += tokens - used;
        atLeast += tokens - static_cast<int64_t>(load[l].size());
      }
      const int64_t dropped = j["dropped_tokens"].get<int64_t>();
      QCOMPARE(j["skipped_steps"].get<int64_t>(), int64_t(0));
      if (capacityFactor == 0) {
        QCOMPARE(dropped, int64_t(0));
        continue;
      }
      QVERIFY2(atLeast > 100, qPrintable(QString::number(atLeast)));
      QCOMPARE(dropped, expected);
      QCOMPARE(rec.steps.at(size_t(step - 1)).droppedTokens, dropped);
    }
  }

  void metricsCountSkippedSteps() {
    // Updates after the 2nd and 4th are poisoned (NaN embeddings, as in
    // nonFiniteLossesAreSkippedThenStop) and healed again when the trainer reports the skip: each
    // such attempt is skipped, the run goes on, and every later metrics line counts the skips.
    TrainingOptions o = test::tinyTraining(6);
    o.logEvery = 1;
    Trainer t(test::tinyProject(), o, test::tinyCorpus(), dir("skipped").toStdString());
    struct Poisoner : Recorder {
      Trainer* trainer = nullptr;
      at::Tensor healthy;
      void onStep(const TrainStepStats& s) override {
        Recorder::onStep(s);
        if (s.step != 2 && s.step != 4) return;
        at::NoGradGuard noGrad;
        healthy = trainer->model()->embed_tokens->weight.detach().clone();
        trainer->model()->embed_tokens->weight.fill_(std::numeric_limits<float>::quiet_NaN());
      }
      void onMessage(const std::string& m) override {
        Recorder::onMessage(m);
        at::NoGradGuard noGrad;
        trainer->model()->embed_tokens->weight.copy_(healthy);
      }
    } rec;
    rec.trainer = &t;
    StopToken stop;
    const TrainResult r = t.run(stop, rec);
    QCOMPARE(int(r.status), int(TrainStatus::Finished));
    QCOMPARE(r.step, int64_t(6));
    QCOMPARE(rec.messages.size(), size_t(2));
    const std::vector<nlohmann::json> lines = trainLines(dir("skipped/metrics.jsonl").toStdString());
    QCOMPARE(lines.size(), size_t(6));
    const std::vector<int64_t> skipped = {0, 0, 1, 1, 2, 2};
    for (size_t i = 0; i < lines.size(); ++i) {
      QCOMPARE(lines[i]["step"].get<int64_t>(), int64_t(i + 1));
      QCOMPARE(lines[i]["skipped_steps"].get<int64_t>(), skipped[i]);
      QVERIFY(std::isfinite(lines[i]["loss"].get<double>()));
    }
    // And the count is part of the checkpoint: a resumed run goes on counting from it.
    QCOMPARE(Checkpoint::readMeta(t.lastCheckpointPath()).at("skipped_total").get<int64_t>(), int64_t(2));
  }

  void checkpointsRecordTheBlasDecision() {
    // The BLAS kernel and the launcher's decision about it (AUTOMOE_BLAS_DECISION, set by
    // tuneBlasOrReexec before the process starts its work) travel in every checkpoint's
    // provenance, as in run.json.
    const QByteArray saved = qgetenv("AUTOMOE_BLAS_DECISION");
    const bool had = qEnvironmentVariableIsSet("AUTOMOE_BLAS_DECISION");
    qputenv("AUTOMOE_BLAS_DECISION", "tuned: decision under test");
    Trainer t(test::tinyProject(), test::tinyTraining(2), test::tinyCorpus(), dir("blas").toStdString());
    StopToken stop;
    Recorder rec;
    const TrainResult r = t.run(stop, rec);  // checkpoints at its last update
    if (had) qputenv("AUTOMOE_BLAS_DECISION", saved); else qunsetenv("AUTOMOE_BLAS_DECISION");
    QCOMPARE(int(r.status), int(TrainStatus::Finished));
    const nlohmann::json blas = Checkpoint::readMeta(t.lastCheckpointPath()).at("provenance").at("blas");
    QCOMPARE(QString::fromStdString(blas.at("decision").get<std::string>()), QString("tuned: decision under test"));
    const BlasInfo here = detectBlas();
    QCOMPARE(QString::fromStdString(blas.at("core").get<std::string>()), QString::fromStdString(here.core));
    QCOMPARE(QString::fromStdString(blas.at("library").get<std::string>()), QString::fromStdString(here.library));
    std::ifstream runJson(dir("blas/run.json").toStdString());
    QCOMPARE(QString::fromStdString(blas.dump()),
             QString::fromStdString(nlohmann::json::parse(runJson)["provenance"]["blas"].dump()));
  }
};

QTEST_APPLESS_MAIN(TestTrainer)
#include "test_trainer.moc"
