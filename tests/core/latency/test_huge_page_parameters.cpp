// moveParametersToHugePages: same values, same parameter objects (the modules' members see the
// new memory), identical model outputs, one 2 MiB-aligned block; small modules are left alone.
#include <QtTest/QtTest>

#include <ATen/core/grad_mode.h>

#include <cstdint>

#include "arch/arch_config.h"
#include "latency/huge_page_parameters.h"
#include "model/super_transformer.h"
#include "support/tiny_space.h"

using namespace automoe;

class TestHugePageParameters final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void keepsValuesAndOutputs() {
    const SearchSpace space = test::tinySpace();
    ModelOptions o = test::tinyModelOptions();
    o.vocabSize = 40000;  // > 2 MiB of parameters (40000 x 20 floats of embedding)
    at::manual_seed(1);
    SuperTransformer net(SuperTransformerOptions(ModelShape::forSupernet(space, o), o));
    net->eval();
    const ArchConfig arch = space.largest();
    const at::Tensor src = at::randint(4, 50, {2, 7}, at::kLong);
    const at::Tensor prev = at::randint(4, 50, {2, 5}, at::kLong);
    const at::NoGradGuard noGrad;
    const at::Tensor before = net->forward(src, prev, arch).logits;
    std::map<std::string, at::Tensor> copies;
    for (const auto& kv : net->named_parameters()) copies[kv.key()] = kv.value().clone();
    const at::Tensor embedHandle = net->embed_tokens->weight;  // a module member, not a copy

    const long long moved = moveParametersToHugePages(*net);
    QVERIFY(moved > (2 << 20));
    for (const auto& kv : net->named_parameters()) QVERIFY2(at::equal(kv.value(), copies[kv.key()]), kv.key().c_str());
    QCOMPARE(embedHandle.data_ptr(), net->named_parameters()["embed_tokens.weight"].data_ptr());
    QVERIFY(at::equal(net->forward(src, prev, arch).logits, before));
    // One block: the first tensor starts on a 2 MiB boundary, all are 64-byte aligned.
    const auto first = reinterpret_cast<uintptr_t>(net->parameters().front().data_ptr());
    QCOMPARE(first % (uintptr_t{2} << 20), uintptr_t{0});
    for (const auto& p : net->parameters()) QCOMPARE(reinterpret_cast<uintptr_t>(p.data_ptr()) % 64, uintptr_t{0});
  }

  void leavesSmallModulesAlone() {
    const SearchSpace space = test::tinySpace();
    const ModelOptions o = test::tinyModelOptions();
    SuperTransformer net(SuperTransformerOptions(ModelShape::forSubnet(space.smallest(), ModelShape::forSupernet(space, o)), o));
    const void* ptr = net->embed_tokens->weight.data_ptr();
    QCOMPARE(moveParametersToHugePages(*net), 0LL);
    QCOMPARE(net->embed_tokens->weight.data_ptr(), ptr);
  }
};

QTEST_APPLESS_MAIN(TestHugePageParameters)
#include "test_huge_page_parameters.moc"
