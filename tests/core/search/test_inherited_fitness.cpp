// InheritedFitness: the validation loss of a subnet with the supernet's weights equals the loss of
// the standalone model extractSubnet builds, computed the ordinary way (full logits, fairseq's
// label-smoothed loss) on the same validation batches.
#include <QtTest/QtTest>

#include <torch/nn/module.h>

#include "arch/arch_config.h"
#include "model/sinusoidal_positions.h"
#include "model/subnet_extractor.h"
#include "search/inherited_fitness.h"
#include "support/tiny_training.h"
#include "train/label_smoothed_loss.h"

using namespace automoe;

class TestInheritedFitness final : public QObject {
  Q_OBJECT

  Project m_project = test::tinyProject();
  std::shared_ptr<SyntheticTranslationData> m_data = test::tinyCorpus();

  SuperTransformer supernet() const {
    at::manual_seed(3);
    SuperTransformer net(SuperTransformerOptions(ModelShape::forSupernet(m_project.space, m_project.model),
                                                 m_project.model));
    net->train();  // InheritedFitness must switch to eval mode itself (dropout 0.1)
    return net;
  }

  // The reference: standalone model, full logits, labelSmoothedLoss.
  std::pair<double, double> standaloneLoss(const SuperTransformer& net, const ArchConfig& arch, size_t batches,
                                           double eps) const {
    SuperTransformer sub = extractSubnet(*net, arch);
    sub->eval();
    at::NoGradGuard noGrad;
    double loss = 0, nll = 0;
    int64_t tokens = 0;
    for (size_t i = 0; i < batches; ++i) {
      const TrainBatch b = m_data->validBatch(i);
      const ModelOutput out = sub->forward(b.src, b.prevOutput, arch);
      const LossSums s = labelSmoothedLoss(out.logits, b.target, eps, kPadIndex);
      loss += s.loss.item<double>();
      nll += s.nll.item<double>();
      tokens += s.tokens;
    }
    return {loss / double(tokens), nll / double(tokens)};
  }

 private Q_SLOTS:
  void equalsTheStandaloneSubnetsLoss() {
    const SuperTransformer net = supernet();
    InheritedFitnessOptions o;
    o.validBatches = 3;
    const InheritedFitness fitness(net, *m_data, o);
    QCOMPARE(fitness.batches(), size_t(3));
    QVERIFY(!net->is_training());
    std::vector<ArchConfig> archs = {m_project.space.largest(), m_project.space.smallest()};
    for (uint64_t s = 0; s < 4; ++s) archs.push_back(m_project.space.sample(s));
    std::vector<double> losses;
    for (const auto& a : archs) {
      const FitnessValue v = fitness.evaluate(a);
      const auto [ref, refNll] = standaloneLoss(net, a, 3, 0.0);
      QVERIFY2(std::abs(v.loss - ref) <= 1e-5 * ref, qPrintable(QString("%1 vs %2").arg(v.loss).arg(ref)));
      QCOMPARE(v.loss, v.nll);
      QVERIFY(std::abs(fitness(a) - v.loss) == 0);  // deterministic: eval mode, no dropout
      losses.push_back(v.loss);
    }
    QVERIFY(losses[0] != losses[1]);  // the subnet matters
    int64_t tokens = 0;
    for (size_t i = 0; i < 3; ++i) tokens += m_data->validBatch(i).target.ne(kPadIndex).sum().item<int64_t>();
    QCOMPARE(fitness.targetTokens(), tokens);
  }

  void labelSmoothingMatchesTheTrainingLoss() {
    const SuperTransformer net = supernet();
    InheritedFitnessOptions o;
    o.validBatches = 2;
    o.labelSmoothing = 0.1;
    const InheritedFitness fitness(net, *m_data, o);
    const ArchConfig a = m_project.space.sample(uint64_t{9});
    const FitnessValue v = fitness.evaluate(a);
    const auto [ref, refNll] = standaloneLoss(net, a, 2, 0.1);
    QVERIFY2(std::abs(v.loss - ref) <= 1e-5 * ref, qPrintable(QString("%1 vs %2").arg(v.loss).arg(ref)));
    QVERIFY(std::abs(v.nll - refNll) <= 1e-5 * refNll);
    QVERIFY(v.loss != v.nll);
  }

  void bf16IsCloseToFp32() {
    const SuperTransformer net = supernet();
    InheritedFitnessOptions o;
    o.validBatches = 2;
    const InheritedFitness fp32(net, *m_data, o);
    const ArchConfig a = m_project.space.largest();
    const double x = fp32(a);
    o.bf16 = true;
    const InheritedFitness bf16(net, *m_data, o);
    const double y = bf16(a);
    QVERIFY2(std::abs(x - y) < 0.03 * x, qPrintable(QString("%1 vs %2").arg(x).arg(y)));
    QVERIFY(x != y);  // it did run in bf16
    // The bf16 copy leaves the caller's supernet as it was.
    for (const auto& p : net->parameters()) QCOMPARE(p.scalar_type(), at::kFloat);
    QCOMPARE(fp32(a), x);
  }

  void moreBatchesThanTheDataHasUsesAll() {
    InheritedFitnessOptions o;
    o.validBatches = 100000;
    const InheritedFitness f(supernet(), *m_data, o);
    QCOMPARE(f.batches(), m_data->numValidBatches());
  }
};

QTEST_GUILESS_MAIN(TestInheritedFitness)
#include "test_inherited_fitness.moc"
