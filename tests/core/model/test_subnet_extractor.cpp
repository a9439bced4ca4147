// extractSubnet: a standalone model of a subnet computes exactly what the supernet computes for
// that subnet (teacher-forced and incremental), and stores exactly the subnet's parameters.
#include <QtTest/QtTest>

#include <torch/nn/module.h>

#include "arch/arch_config.h"
#include "arch/arch_stats.h"
#include "model/sinusoidal_positions.h"
#include "model/subnet_extractor.h"
#include "model/super_transformer.h"
#include "support/tiny_space.h"
#include "util/rng.h"

using namespace automoe;

class TestSubnetExtractor final : public QObject {
  Q_OBJECT

  SearchSpace m_space = test::tinySpace();
  ModelOptions m_options = test::tinyModelOptions();

  SuperTransformer makeSupernet() {
    at::manual_seed(11);
    SuperTransformer net(SuperTransformerOptions(ModelShape::forSupernet(m_space, m_options), m_options));
    net->eval();
    return net;
  }

  static at::Tensor tokens(int64_t B, int64_t T, int64_t seed) {
    at::manual_seed(seed);
    return at::randint(4, 50, {B, T}, at::kLong);
  }

  static int64_t numel(const torch::nn::Module& m) {
    int64_t n = 0;
    for (const auto& p : m.parameters()) n += p.numel();
    return n;
  }

 private Q_SLOTS:
  void matchesSupernetTeacherForced() {
    SuperTransformer net = makeSupernet();
    at::Tensor src = tokens(3, 9, 1);
    src.index_put_({1, at::indexing::Slice(6, at::indexing::None)}, kPadIndex);  // a padded row
    at::Tensor prev = tokens(3, 6, 2);
    prev.index_put_({2, at::indexing::Slice(4, at::indexing::None)}, kPadIndex);
    Rng rng(2024);
    torch::NoGradGuard noGrad;
    for (int i = 0; i < 25; ++i) {
      const ArchConfig arch = m_space.sample(rng);
      SuperTransformer sub = extractSubnet(*net, arch);
      const at::Tensor a = net->forward(src, prev, arch).logits;
      const at::Tensor b = sub->forward(src, prev, arch).logits;
      QCOMPARE(b.sizes().vec(), (std::vector<int64_t>{3, 6, 50}));
      const double diff = (a - b).abs().max().item<double>();
      QVERIFY2(diff < 1e-5, qPrintable(QString("subnet %1 (%2): max diff %3")
                                           .arg(i).arg(QString::fromStdString(arch.summary())).arg(diff)));
    }
  }

  void matchesSupernetIncrementally() {
    SuperTransformer net = makeSupernet();
    const at::Tensor src = tokens(2, 7, 3);
    at::Tensor prev = tokens(2, 5, 4);
    prev.select(1, 0).fill_(kEosIndex);
    Rng rng(99);
    torch::NoGradGuard noGrad;
    for (int i = 0; i < 20; ++i) {
      const ArchConfig arch = m_space.sample(rng);
      SuperTransformer sub = extractSubnet(*net, arch);
      const at::Tensor full = net->forward(src, prev, arch).logits;  // [B, T, V]
      for (SuperTransformer* model : {&net, &sub}) {
        const EncoderOutput enc = (*model)->encode(src, arch);
        DecoderState state;
        for (int64_t t = 0; t < prev.size(1); ++t) {
          const at::Tensor step = (*model)->decodeStep(prev.narrow(1, t, 1), enc, arch, state);
          const double diff = (step - full.select(1, t)).abs().max().item<double>();
          QVERIFY2(diff < 1e-5, qPrintable(QString("subnet %1 step %2: max diff %3").arg(i).arg(t).arg(diff)));
        }
      }
    }
  }

  void storesExactlyTheSubnetParameters() {
    SuperTransformer net = makeSupernet();
    Rng rng(5);
    for (int i = 0; i < 20; ++i) {
      const ArchConfig arch = m_space.sample(rng);
      SuperTransformer sub = extractSubnet(*net, arch);
      const ArchStats stats = computeArchStats(arch, m_space.qkvDim, m_options.vocabSize, 1, 1);
      QCOMPARE(numel(*sub), stats.totalParams);
      QVERIFY(numel(*sub) < numel(*net));
    }
    // The supernet itself is the shape of the largest subnet plus unused router types.
    QVERIFY(numel(*net) >= computeArchStats(m_space.largest(), m_space.qkvDim, m_options.vocabSize, 1, 1).totalParams);
  }

  void parameterNamesAreStableAndHierarchical() {
    SuperTransformer net = makeSupernet();
    const auto params = net->named_parameters();
    QVERIFY(params.contains("encoder.layers.2.moe.experts.3.fc1.weight"));
    QVERIFY(params.contains("decoder.layers.0.moe.routers.switch_top1.weight"));
    QVERIFY(params.contains("decoder.layers.1.encoder_attn.kv_proj_weight"));
    QVERIFY(params.contains("embed_tokens.weight"));
    const ArchConfig arch = m_space.sample(uint64_t{3});
    SuperTransformer sub = extractSubnet(*net, arch);
    for (const auto& p : sub->named_parameters()) QVERIFY2(params.contains(p.key()), p.key().c_str());
  }

  void rejectsSubnetsThatDoNotFit() {
    SuperTransformer net = makeSupernet();
    ArchConfig arch = m_space.largest();
    arch.encoder.layers.push_back(arch.encoder.layers[0]);  // 4 layers > 3 stored
    arch.decoder.layers[0].expertFfnDims = {64};            // wider than stored 32
    try {
      extractSubnet(*net, arch);
      QFAIL("expected std::invalid_argument");
    } catch (const std::invalid_argument& e) {
      const QString msg = e.what();
      QVERIFY(msg.contains("encoder: 4 layers > stored 3"));
      QVERIFY(msg.contains("decoder.layers[0].experts[0] width 64"));
    }
  }
};

QTEST_APPLESS_MAIN(TestSubnetExtractor)
#include "test_subnet_extractor.moc"
