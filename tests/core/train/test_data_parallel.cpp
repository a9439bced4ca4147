// Data-parallel training over c10d on 127.0.0.1: two ranks end with the same parameters as one
// rank trained on the doubled batch (both ranks' batches concatenated), within 1e-5. Rows: Gloo on
// CPU (always), Gloo on CUDA and NCCL (one GPU per rank) where this build and machine have them.
// With bf16 products (CPU, Gloo; their weight gradients reach the collective in bf16) the ranks
// agree exactly with each other and their update is within 10% (relative norm) of the single run's.
#include <QtTest/QtTest>

#include <QTemporaryDir>
#include <cmath>
#include <functional>

#include <map>
#include <thread>

#include "support/equivalent_batches.h"
#include <torch/cuda.h>

#include "train/c10d_collective.h"
#include "util/config_error.h"
#include "train/trainer.h"

using namespace automoe;

namespace {

using test::deterministicProject;
using test::DoubledBatches;

int cudaDevices() { return torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0; }

}  // namespace

Q_DECLARE_METATYPE(automoe::CollectiveBackend)

class TestDataParallel final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void twoRanksEqualOneRankOnTheDoubledBatch_data() {
    QTest::addColumn<QString>("device");
    QTest::addColumn<CollectiveBackend>("backend");
    QTest::addColumn<QString>("precision");
    QTest::newRow("cpu-gloo") << "cpu" << CollectiveBackend::Gloo << "fp32";
    QTest::newRow("cpu-gloo-bf16") << "cpu" << CollectiveBackend::Gloo << "bf16";
    QTest::newRow("cuda-gloo") << "cuda" << CollectiveBackend::Gloo << "fp32";
    QTest::newRow("cuda-nccl") << "cuda" << CollectiveBackend::Nccl << "fp32";
  }

  void twoRanksEqualOneRankOnTheDoubledBatch() {
    QFETCH(QString, device);
    QFETCH(CollectiveBackend, backend);
    QFETCH(QString, precision);
    if (device == "cuda" && cudaDevices() == 0) QSKIP("no CUDA device (or a LibTorch without CUDA)");
    if (backend == CollectiveBackend::Gloo && !C10dCollective::glooCompiledIn()) QSKIP("this build has no Gloo");
    if (backend == CollectiveBackend::Nccl && !C10dCollective::ncclCompiledIn()) QSKIP("this build has no NCCL");
    if (backend == CollectiveBackend::Nccl && cudaDevices() < 2) QSKIP("NCCL needs a GPU per rank: fewer than 2 GPUs");
    QTemporaryDir dir;
    const int steps = 6;
    const auto data = test::tinyCorpus(64);
    TrainingOptions o = test::tinyTraining(steps);
    o.device = device.toStdString();
    o.precision = precision.toStdString();

    Trainer single(deterministicProject(), o, std::make_shared<DoubledBatches>(data),
                   dir.filePath("single").toStdString());
    std::map<std::string, at::Tensor> initial;
    for (const auto& kv : single.model()->named_parameters()) initial[kv.key()] = kv.value().detach().clone();
    for (int i = 0; i < steps; ++i) {
      TrainStepStats s;
      QVERIFY(single.trainStep(s));
    }

    std::vector<std::unique_ptr<Trainer>> ranks(2);
    std::vector<std::unique_ptr<C10dCollective>> groups(2);
    const std::string store = dir.filePath("store").toStdString();
    std::vector<std::string> errors(2);
    auto onBothRanks = [&](const std::function<void(int)>& work) {
      std::vector<std::thread> threads;
      for (int r = 0; r < 2; ++r)
        threads.emplace_back([&, r] {
          try {
            work(r);
          } catch (const std::exception& e) {
            errors[r] = e.what();
          }
        });
      for (auto& t : threads) t.join();
    };
    // Rendezvous needs both ranks at once; model construction uses the global generator, so it
    // runs one rank at a time (separate processes would not share it).
    onBothRanks([&](int r) { groups[r] = std::make_unique<C10dCollective>(backend, r, 2, store); });
    QVERIFY2(errors[0].empty() && errors[1].empty(), (errors[0] + errors[1]).c_str());
    for (int r = 0; r < 2; ++r)
      ranks[r] = std::make_unique<Trainer>(deterministicProject(), o, data,
                                           dir.filePath("rank" + QString::number(r)).toStdString(),
                                           groups[r].get());
    onBothRanks([&](int r) {
      for (int i = 0; i < steps; ++i) {
        TrainStepStats s;
        if (!ranks[r]->trainStep(s)) errors[r] = "non-finite step";
      }
    });
    QVERIFY2(errors[0].empty() && errors[1].empty(), (errors[0] + errors[1]).c_str());

    const auto ref = single.model()->named_parameters();
    if (precision == "bf16") {
      // Products over a half batch round differently from products over the whole batch, and
      // Adam turns a tiny gradient's rounding into a full step either way: compare the updates
      // as a whole (relative norm of their difference).
      double diff2 = 0, step2 = 0;
      for (const auto& kv : ranks[0]->model()->named_parameters()) {
        const at::Tensor step = (ref[kv.key()] - initial.at(kv.key())).to(at::kDouble);
        diff2 += (kv.value() - ref[kv.key()]).to(at::kDouble).pow(2).sum().item<double>();
        step2 += step.pow(2).sum().item<double>();
      }
      qInfo("bf16: relative difference of the updates %g", std::sqrt(diff2 / step2));
      QVERIFY(step2 > 0);
      QVERIFY2(std::sqrt(diff2 / step2) < 0.1, qPrintable(QString::number(std::sqrt(diff2 / step2))));
    }
    const double tolerance = 1e-5;
    double worst = 0;
    for (int r = 0; r < 2 && precision == "fp32"; ++r)
      for (const auto& kv : ranks[r]->model()->named_parameters())
        worst = std::max(worst, (kv.value() - ref[kv.key()]).abs().max().item<double>());
    if (worst >= tolerance)
      for (const auto& kv : ranks[0]->model()->named_parameters()) {
        const double d = (kv.value() - ref[kv.key()]).abs().max().item<double>();
        if (d > tolerance) qWarning("%s differs by %g", kv.key().c_str(), d);
      }
    QVERIFY2(worst < tolerance, qPrintable(QString("max parameter difference %1").arg(worst)));
    // Ranks agree exactly with each other.
    const auto p0 = ranks[0]->model()->named_parameters(), p1 = ranks[1]->model()->named_parameters();
    for (const auto& kv : p0) QVERIFY(at::equal(kv.value(), p1[kv.key()]));
    // Gradients went in buckets: far fewer allreduce calls than parameter tensors per step.
    const int64_t tensors = static_cast<int64_t>(single.model()->parameters().size());
    QVERIFY(groups[0]->allReduceCalls() < steps * 8);
    QVERIFY(tensors > 100);
    QCOMPARE(QString::fromStdString(ranks[0]->provenance()["distributed_backend"].get<std::string>()),
             QString::fromStdString(groups[0]->backendName()));
  }

  // One rank over NCCL (a real process group on this GPU) gives the same parameters as training
  // without a collective: the sum over one rank is the identity.
  void ncclOneRankEqualsNoCollective() {
    if (!C10dCollective::ncclCompiledIn()) QSKIP("this build has no NCCL");
    if (cudaDevices() == 0) QSKIP("no CUDA device");
    QTemporaryDir dir;
    const int steps = 4;
    const auto data = test::tinyCorpus(64);
    TrainingOptions o = test::tinyTraining(steps);
    o.device = "cuda";
    Trainer plain(deterministicProject(), o, data, dir.filePath("plain").toStdString());
    C10dCollective nccl(CollectiveBackend::Nccl, 0, 1, dir.filePath("store").toStdString());
    Trainer one(deterministicProject(), o, data, dir.filePath("one").toStdString(), &nccl);
    for (int i = 0; i < steps; ++i) {
      TrainStepStats a, b;
      QVERIFY(plain.trainStep(a));
      QVERIFY(one.trainStep(b));
      QCOMPARE(b.loss, a.loss);
    }
    const auto ref = plain.model()->named_parameters();
    for (const auto& kv : one.model()->named_parameters()) QVERIFY2(at::equal(kv.value(), ref[kv.key()]), kv.key().c_str());
    QVERIFY(nccl.allReduceCalls() > 0);
    QCOMPARE(QString::fromStdString(one.provenance()["distributed_backend"].get<std::string>()), QString("nccl"));
  }

  // NCCL cannot put two ranks on one GPU: refused with a message naming the way out.
  void ncclWithFewerGpusThanRanksIsRefused() {
    if (!C10dCollective::ncclCompiledIn()) {
      QVERIFY_THROWS_EXCEPTION(ConfigError, C10dCollective::choose("nccl", true, 2, "option --backend"));
      return;
    }
    const int gpus = cudaDevices();
    QTemporaryDir dir;
    try {
      C10dCollective c(CollectiveBackend::Nccl, 0, gpus + 1, dir.filePath("store").toStdString());
      QFAIL("accepted more ranks than GPUs");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).contains("one GPU per rank") && QString(e.what()).contains("gloo"), e.what());
    }
    try {
      C10dCollective::choose("nccl", true, gpus + 1, "option --backend");
      QFAIL("chose NCCL for more ranks than GPUs");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).contains("option --backend") && QString(e.what()).contains("one GPU per rank"), e.what());
    }
    // auto falls back to Gloo there.
    if (C10dCollective::glooCompiledIn())
      QCOMPARE(C10dCollective::choose("auto", true, gpus + 1, "x"), CollectiveBackend::Gloo);
  }

  void backendNamesAreChecked() {
    if (C10dCollective::glooCompiledIn()) {
      QCOMPARE(C10dCollective::choose("gloo", true, 2, "x"), CollectiveBackend::Gloo);
      QCOMPARE(C10dCollective::choose("auto", false, 2, "x"), CollectiveBackend::Gloo);  // CPU training
    } else {
      QVERIFY_THROWS_EXCEPTION(ConfigError, C10dCollective::choose("gloo", true, 2, "x"));
    }
    try {
      C10dCollective::choose("mpi", false, 2, "option --backend");
      QFAIL("accepted mpi");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).contains("option --backend") && QString(e.what()).contains("mpi"), e.what());
    }
  }
};

QTEST_APPLESS_MAIN(TestDataParallel)
#include "test_data_parallel.moc"
