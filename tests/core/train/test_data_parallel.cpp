// Data-parallel training over c10d/Gloo on 127.0.0.1: two ranks end with the same parameters as
// one rank trained on the doubled batch (both ranks' batches concatenated), within 1e-5.
#include <QtTest/QtTest>

#include <QTemporaryDir>
#include <functional>
#include <thread>

#include "model/sinusoidal_positions.h"
#include "support/tiny_training.h"
#include "train/gloo_collective.h"
#include "train/trainer.h"

using namespace automoe;

namespace {

// Index i of this data = base batches 2i and 2i+1 in one batch.
class DoubledBatches final : public TrainingData {
 public:
  explicit DoubledBatches(std::shared_ptr<TrainingData> base) : m_base(std::move(base)) {}
  size_t numTrainBatches(uint64_t e) const override { return m_base->numTrainBatches(e) / 2; }
  TrainBatch trainBatch(uint64_t e, size_t i) const override {
    return concat(m_base->trainBatch(e, 2 * i), m_base->trainBatch(e, 2 * i + 1));
  }
  size_t numValidBatches() const override { return m_base->numValidBatches(); }
  TrainBatch validBatch(size_t i) const override { return m_base->validBatch(i); }
  int64_t vocabSize() const override { return m_base->vocabSize(); }

 private:
  static at::Tensor pad(const at::Tensor& t, int64_t len) {
    if (t.size(1) == len) return t;
    return at::cat({t, at::full({t.size(0), len - t.size(1)}, kPadIndex, at::kLong)}, 1);  // [B, T] -> [B, len]
  }
  static TrainBatch concat(const TrainBatch& a, const TrainBatch& b) {
    TrainBatch c;
    const int64_t S = std::max(a.src.size(1), b.src.size(1)), T = std::max(a.target.size(1), b.target.size(1));
    c.src = at::cat({pad(a.src, S), pad(b.src, S)}, 0);
    c.prevOutput = at::cat({pad(a.prevOutput, T), pad(b.prevOutput, T)}, 0);
    c.target = at::cat({pad(a.target, T), pad(b.target, T)}, 0);
    c.targetTokens = a.targetTokens + b.targetTokens;
    c.sourceTokens = a.sourceTokens + b.sourceTokens;
    return c;
  }
  std::shared_ptr<TrainingData> m_base;
};

Project deterministicProject() {
  Project p = test::tinyProject();
  p.model.dropout = 0;           // two processes cannot share dropout masks with one
  p.model.attentionDropout = 0;
  p.model.routerJitter = 0;
  // The router losses are statistics of a batch (n * sum_i f_i P_i over its tokens): on two
  // half-batches they are not the loss of the whole batch, in any data-parallel implementation.
  // The equivalence below is about gradient synchronisation, so they are off here.
  p.model.balanceLossCoef = 0;
  p.model.zLossCoef = 0;
  // Likewise which tokens overflow an expert's capacity depends on the batch they are in.
  p.model.capacityFactor = 0;
  p.model.routing.switchTop1.capacityFactor = 0;
  return p;
}

}  // namespace

class TestDataParallel final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void twoRanksEqualOneRankOnTheDoubledBatch() {
    QTemporaryDir dir;
    const int steps = 6;
    const auto data = test::tinyCorpus(64);
    TrainingOptions o = test::tinyTraining(steps);

    Trainer single(deterministicProject(), o, std::make_shared<DoubledBatches>(data),
                   dir.filePath("single").toStdString());
    for (int i = 0; i < steps; ++i) {
      TrainStepStats s;
      QVERIFY(single.trainStep(s));
    }

    std::vector<std::unique_ptr<Trainer>> ranks(2);
    std::vector<std::unique_ptr<GlooCollective>> groups(2);
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
    onBothRanks([&](int r) { groups[r] = std::make_unique<GlooCollective>(r, 2, store); });
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
    double worst = 0;
    for (int r = 0; r < 2; ++r)
      for (const auto& kv : ranks[r]->model()->named_parameters())
        worst = std::max(worst, (kv.value() - ref[kv.key()]).abs().max().item<double>());
    if (worst >= 1e-5)
      for (const auto& kv : ranks[0]->model()->named_parameters()) {
        const double d = (kv.value() - ref[kv.key()]).abs().max().item<double>();
        if (d > 1e-5) qWarning("%s differs by %g", kv.key().c_str(), d);
      }
    QVERIFY2(worst < 1e-5, qPrintable(QString("max parameter difference %1").arg(worst)));
    // Ranks agree exactly with each other.
    const auto p0 = ranks[0]->model()->named_parameters(), p1 = ranks[1]->model()->named_parameters();
    for (const auto& kv : p0) QVERIFY(at::equal(kv.value(), p1[kv.key()]));
    // Gradients went in buckets: far fewer allreduce calls than parameter tensors per step.
    const int64_t tensors = static_cast<int64_t>(single.model()->parameters().size());
    QVERIFY(groups[0]->allReduceCalls() < steps * 8);
    QVERIFY(tensors > 100);
  }
};

QTEST_APPLESS_MAIN(TestDataParallel)
#include "test_data_parallel.moc"
