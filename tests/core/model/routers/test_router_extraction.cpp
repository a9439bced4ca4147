// Every router type together with the layer: a standalone subnet (prefix slices of the supernet,
// via extractSubnet or at the level of one layer with EoM/FoM/CMR on) computes exactly what the
// supernet computes, teacher-forced and incrementally; the stored router sizes match
// routerParamCount; in training every router skips pads, yields a finite auxLoss, and leaves
// unsampled experts and other router types without gradient.
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include "arch/router_types.h"
#include "arch/search_space.h"
#include "core/model/routers/router_test_util.h"
#include "model/sinusoidal_positions.h"
#include "model/subnet_extractor.h"
#include "model/super_transformer.h"
#include "support/tiny_space.h"
#include "util/rng.h"

using namespace automoe;
using namespace automoe::test;

class TestRouterExtraction final : public QObject {
  Q_OBJECT

  static SearchSpace allRoutersSpace() {
    nlohmann::json j = tinySpace().toJson();
    j["encoder"]["routers"] = knownRouterTypes();
    j["decoder"]["routers"] = knownRouterTypes();
    j["encoder"]["top_k"] = {1, 2, 3};
    return SearchSpace::fromJson(j, "all_routers_space");
  }

  static MoeOptions everyOption() {
    MoeOptions o;
    o.router.options.masking.eom = 0.1;
    o.router.options.masking.fom = 0.2;
    o.router.options.cmr.enabled = true;
    o.router.options.stratified.strata = 3;
    o.router.options.xmoe.routingDim = 8;
    return o;
  }

 private Q_SLOTS:
  void everyRouterTypeIsKnown() {
    QCOMPARE(knownRouterTypes().size(), size_t(8));
    for (const auto& t : knownRouterTypes()) QVERIFY(isKnownRouterType(t));
    QCOMPARE(routerMaxTopK("switch_top1"), 1);
    QCOMPARE(routerMaxTopK("gshard_top2"), 2);
    QCOMPARE(routerMaxTopK("stratified"), 2);
    QVERIFY(routerMaxTopK("smoe_dropout") >= 64 && routerMaxTopK("competesmoe") >= 64);
  }

  void subnetsMatchSupernetForEveryRouter() {
    const SearchSpace space = allRoutersSpace();
    ModelOptions options = tinyModelOptions();
    at::manual_seed(11);
    SuperTransformer net(SuperTransformerOptions(ModelShape::forSupernet(space, options), options));
    net->eval();
    at::manual_seed(1);
    at::Tensor src = at::randint(4, 50, {3, 9}, at::kLong);
    src.index_put_({1, at::indexing::Slice(6, at::indexing::None)}, kPadIndex);
    at::Tensor prev = at::randint(4, 50, {3, 6}, at::kLong);
    prev.select(1, 0).fill_(kEosIndex);
    prev.index_put_({2, at::indexing::Slice(4, at::indexing::None)}, kPadIndex);
    Rng rng(77);
    torch::NoGradGuard noGrad;
    for (const auto& type : knownRouterTypes()) {
      for (int i = 0; i < 3; ++i) {
        ArchConfig arch = space.sample(rng);
        for (auto* stack : {&arch.encoder, &arch.decoder})
          for (auto& l : stack->layers) {
            l.router = type;
            if (l.numExperts() == 1) l.expertFfnDims.push_back(l.expertFfnDims[0]);  // route
          }
        QVERIFY(arch.validate(space).empty());
        SuperTransformer sub = extractSubnet(*net, arch);
        const at::Tensor full = net->forward(src, prev, arch).logits;
        const double diff = maxDiff(full, sub->forward(src, prev, arch).logits);
        QVERIFY2(diff < 1e-5, qPrintable(QString("%1: %2").arg(type.c_str()).arg(diff)));
        const EncoderOutput enc = sub->encode(src, arch);
        DecoderState state;
        for (int64_t t = 0; t < prev.size(1); ++t) {  // incremental decoding, one token at a time
          const at::Tensor step = sub->decodeStep(prev.narrow(1, t, 1), enc, arch, state);
          const at::Tensor rows = full.select(1, t);
          const double d = t < 4 ? maxDiff(step, rows) : maxDiff(step.narrow(0, 0, 2), rows.narrow(0, 0, 2));
          QVERIFY2(d < 1e-5, qPrintable(QString("%1 step %2: %3").arg(type.c_str()).arg(t).arg(d)));
        }
      }
    }
  }

  void layerExtractionWithAllOptions() {
    const MoeOptions o = everyOption();
    const std::vector<std::string> all = knownRouterTypes();
    MoeLayer super = makeLayer(all, o);
    super->eval();
    const at::Tensor x = at::randn({40, 12});
    at::Tensor valid = at::ones({40}, at::kBool);
    valid.narrow(0, 33, 7).fill_(false);
    torch::NoGradGuard noGrad;
    for (const auto& type : all) {
      const LayerArch a = layerArch({24, 16, 8, 32}, 2, type);
      MoeLayer sub = makeLayer({type}, o, a.expertFfnDims, 12, /*seed=*/99);
      std::string problem;
      QVERIFY2(copyPrefix(*super, *sub, &problem), (type + ": " + problem).c_str());
      sub->eval();
      const MoeOutput s = super->forward(x, 12, a, valid);
      const MoeOutput t = sub->forward(x, 12, a, valid);
      QVERIFY2(maxDiff(s.y, t.y) < 1e-5, type.c_str());
      QVERIFY2(std::abs(s.auxLoss.item<double>() - t.auxLoss.item<double>()) < 1e-6, type.c_str());
      QVERIFY(s.expertTokens.equal(t.expertTokens));
    }
  }

  void routerSizesMatchParamCount() {
    const MoeOptions o = everyOption();
    RouterShapeParams shape;
    shape.xmoeRoutingDim = 8;
    shape.strata = 3;
    for (auto [n, d] : {std::pair{5, 16}, std::pair{2, 12}, std::pair{3, 8}}) {
      MoeLayer m = makeLayer(knownRouterTypes(), o, std::vector<int>(n, 16), d);
      for (const auto& type : knownRouterTypes()) {
        int64_t numel = 0;
        for (const auto& p : m->routers.at(type)->parameters()) numel += p.numel();
        QVERIFY2(numel == routerParamCount(type, n, d, shape), type.c_str());
      }
    }
  }

  void trainingHonoursPadsAndSlots() {
    MoeOptions o = everyOption();
    o.router.options.competeSmoe.rateFlip = 1.0;  // exercise the competition branch
    o.router.options.competeSmoe.warmUp = 0.0;
    o.router.capacityFactor = 1.5;
    const std::vector<std::string> all = knownRouterTypes();
    const at::Tensor x = at::randn({36, 16});
    at::Tensor valid = at::ones({36}, at::kBool);
    valid.narrow(0, 0, 5).fill_(false);
    for (const auto& type : all) {
      MoeLayer m = makeLayer(all, o);
      m->train();
      const LayerArch a = layerArch({32, 16, 24}, 2, type);
      const at::Tensor xi = x.detach().requires_grad_(true);
      const MoeOutput out = m->forward(xi, 16, a, valid, ForwardContext{2, 10});
      QVERIFY2(finite(out.auxLoss) && finite(out.y), type.c_str());
      QVERIFY2(out.y.narrow(0, 0, 5).abs().sum().item<double>() == 0.0, type.c_str());
      QVERIFY(out.expertTokens.sum().item<int64_t>() + out.droppedTokens >= 31);
      (out.y.pow(2).mean() + out.auxLoss).backward();
      QVERIFY(xi.grad().narrow(0, 0, 5).abs().sum().item<double>() == 0.0);  // pads: no influence
      for (int e = 3; e < 5; ++e)
        for (const auto& p : m->experts[e]->parameters()) QVERIFY2(!p.grad().defined(), type.c_str());
      for (const auto& other : all)
        if (other != type)
          for (const auto& p : m->routers.at(other)->parameters())
            QVERIFY2(!p.grad().defined(), (type + " leaks into " + other).c_str());
    }
  }

  void batchOfOnlyPadding() {
    MoeOptions o = everyOption();
    o.router.options.competeSmoe.rateFlip = 1.0;
    o.router.options.competeSmoe.warmUp = 0.0;
    const std::vector<std::string> all = knownRouterTypes();
    MoeLayer m = makeLayer(all, o);
    const at::Tensor x = at::randn({6, 16});
    const at::Tensor none = at::zeros({6}, at::kBool);
    for (bool training : {true, false}) {
      m->train(training);
      for (const auto& type : all) {
        const MoeOutput out = m->forward(x, 16, layerArch({32, 16, 24}, 2, type), none, ForwardContext{1, 10});
        QVERIFY2(finite(out.auxLoss), type.c_str());
        QCOMPARE(out.y.abs().sum().item<double>(), 0.0);
        QCOMPARE(out.expertTokens.sum().item<int64_t>(), int64_t(0));
      }
    }
  }
};

QTEST_APPLESS_MAIN(TestRouterExtraction)
#include "test_router_extraction.moc"
