// SuperTransformer: shapes, padding handling, and that a backward pass through one subnet leaves
// gradients only on that subnet's slices and experts.
#include <QtTest/QtTest>

#include "arch/arch_config.h"
#include "model/decoder_layer.h"
#include "model/encoder_layer.h"
#include "model/sinusoidal_positions.h"
#include "model/slice_recorder.h"
#include "model/super_transformer.h"
#include "support/tiny_space.h"
#include "util/json_reader.h"

using namespace automoe;
using at::indexing::None;
using at::indexing::Slice;

class TestSuperTransformer final : public QObject {
  Q_OBJECT

  SearchSpace m_space = test::tinySpace();

  SuperTransformer makeNet(double dropout) {
    ModelOptions o = test::tinyModelOptions();
    o.dropout = dropout;
    o.attentionDropout = dropout;
    at::manual_seed(3);
    return SuperTransformer(SuperTransformerOptions(ModelShape::forSupernet(m_space, o), o));
  }

  // Encoder: width 12 of 16, 2 of 3 layers; layer 0 has 2 of 4 experts at widths 24 and 8 of 32.
  ArchConfig sparseArch() {
    ArchConfig a = m_space.smallest();
    a.encoder.embedDim = 12;
    a.encoder.layers.assign(2, a.encoder.layers[0]);
    a.encoder.layers[0].expertFfnDims = {24, 8};
    a.encoder.layers[0].router = "softmax_topk";
    a.encoder.layers[0].topK = 1;
    a.decoder.embedDim = 8;
    return a;
  }

  static double absSum(const at::Tensor& t) { return t.abs().sum().item<double>(); }

 private Q_SLOTS:
  void layerRoutingRulesReachTheirLayers() {
    nlohmann::json j = test::tinyModelOptions().toJson();
    j["layer_routing"] = {{{"stack", "encoder"}, {"layers", {1}}, {"expert_output_masking", {{"fom", 0.3}}}},
                          {{"stack", "decoder"}, {"balance_loss_coef", 0.5}}};
    const ModelOptions o = ModelOptions::fromJson(JsonReader(j, "test", "model"));
    const SuperTransformer net(SuperTransformerOptions(ModelShape::forSupernet(m_space, o), o));
    std::vector<const MoeOptions*> all;
    for (size_t i = 0; i < net->encoder->layers->size(); ++i) {
      const MoeOptions& m = net->encoder->layers->at<EncoderLayerImpl>(i).moe->options;
      QCOMPARE(m.router.options.masking.fom, i == 1 ? 0.3 : 0.0);
      QCOMPARE(m.router.balanceLossCoef, 0.01);
      all.push_back(&m);
    }
    for (size_t i = 0; i < net->decoder->layers->size(); ++i) {
      const MoeOptions& m = net->decoder->layers->at<DecoderLayerImpl>(i).moe->options;
      QCOMPARE(m.router.options.masking.fom, 0.0);
      QCOMPARE(m.router.balanceLossCoef, 0.5);
      all.push_back(&m);
    }
    // One CompeteSMoE schedule for the whole model, whatever the rules.
    for (const MoeOptions* m : all) QVERIFY(m->router.competition == all.front()->router.competition);
    QVERIFY(all.front()->router.competition != nullptr);
  }

  void onlySampledSlicesGetGradients() {
    SuperTransformer net = makeNet(0.0);
    net->train();
    const ArchConfig arch = sparseArch();
    at::manual_seed(5);
    const at::Tensor src = at::randint(4, 50, {4, 12}, at::kLong);
    const at::Tensor prev = at::randint(4, 50, {4, 6}, at::kLong);
    const ModelOutput out = net->forward(src, prev, arch);
    (out.logits.pow(2).mean() + out.moe.meanAuxLoss()).backward();
    const auto p = net->named_parameters();

    // Layer past the sampled depth and experts past the sampled count: no gradient at all.
    for (const auto& kv : p)
      if (kv.key().rfind("encoder.layers.2.", 0) == 0 || kv.key().rfind("decoder.layers.1.", 0) == 0 ||
          kv.key().find("encoder.layers.0.moe.experts.2.") == 0 ||
          kv.key().find("encoder.layers.0.moe.experts.3.") == 0 ||
          kv.key().find("encoder.layers.0.moe.routers.switch_top1") == 0)
        QVERIFY2(!kv.value().grad().defined() || absSum(kv.value().grad()) == 0, kv.key().c_str());

    // Expert 0 of layer 0 uses fc1.weight[:24, :12]: gradient inside, none outside.
    const at::Tensor g = p["encoder.layers.0.moe.experts.0.fc1.weight"].grad();
    QVERIFY(g.defined());
    QVERIFY(absSum(g.index({Slice(0, 24), Slice(0, 12)})) > 0);
    QCOMPARE(absSum(g.index({Slice(24, None), Slice()})), 0.0);
    QCOMPARE(absSum(g.index({Slice(), Slice(12, None)})), 0.0);
    const at::Tensor g1 = p["encoder.layers.0.moe.experts.1.fc2.weight"].grad();  // [d, f] = [:12, :8]
    QVERIFY(g1.defined() && absSum(g1.index({Slice(0, 12), Slice(0, 8)})) > 0);
    QCOMPARE(absSum(g1.index({Slice(), Slice(8, None)})), 0.0);
    // Router slice [:2, :12] of 4 x 16.
    const at::Tensor gr = p["encoder.layers.0.moe.routers.softmax_topk.weight"].grad();
    QVERIFY(absSum(gr.index({Slice(0, 2), Slice(0, 12)})) > 0);
    QCOMPARE(absSum(gr.index({Slice(2, None), Slice()})) + absSum(gr.index({Slice(), Slice(12, None)})), 0.0);
    // Shared embedding: encoder width 12, decoder width 8 of 20: columns >= 12 untouched.
    const at::Tensor ge = p["embed_tokens.weight"].grad();
    QVERIFY(absSum(ge.index({Slice(), Slice(0, 12)})) > 0);
    QCOMPARE(absSum(ge.index({Slice(), Slice(12, None)})), 0.0);
    // Layer norm of the encoder: width 12 of 16.
    const at::Tensor gl = p["encoder.layers.1.final_layer_norm.weight"].grad();
    QVERIFY(absSum(gl.narrow(0, 0, 12)) > 0);
    QCOMPARE(absSum(gl.narrow(0, 12, 4)), 0.0);
  }

  void recordedSliceGradientsHaveTheSubnetsShapes() {
    // With a SliceRecorder (training), every gradient is a box of exactly the size of the
    // standalone subnet's parameter of the same name: nothing outside the subnet is touched.
    SuperTransformer net = makeNet(0.0);
    net->train();
    const auto names = [&] {
      std::map<const void*, std::string> m;
      for (const auto& kv : net->named_parameters()) m[kv.value().unsafeGetTensorImpl()] = kv.key();
      return m;
    }();
    for (uint64_t seed : {1, 2, 3, 4}) {
      const ArchConfig arch = m_space.sample(seed);
      SuperTransformer sub(SuperTransformerOptions(ModelShape::forSubnet(arch, net->shape()),
                                                   net->options.model()));
      const auto subParams = sub->named_parameters();
      net->zero_grad(true);
      SliceRecorder recorder;
      {
        SliceRecorder::Scope scope(recorder);
        at::manual_seed(seed);
        const at::Tensor src = at::randint(4, 50, {4, 9}, at::kLong);
        const ModelOutput out = net->forward(src, src.narrow(1, 0, 5), arch);
        (out.logits.pow(2).mean() + out.moe.meanAuxLoss()).backward();
      }
      int boxes = 0;
      for (const auto& box : recorder.boxGradients()) {
        const std::string& name = names.at(box.param.unsafeGetTensorImpl());
        QVERIFY2(subParams.contains(name), name.c_str());
        QCOMPARE(box.grad.sizes().vec(), subParams[name].sizes().vec());
        ++boxes;
      }
      QVERIFY(boxes > 20);
      for (const auto& kv : net->named_parameters())  // only routers keep ordinary gradients
        if (kv.value().grad().defined()) QVERIFY2(kv.key().find(".routers.") != std::string::npos, kv.key().c_str());
    }
  }

  void recordedBoxGradientsEqualThePlainGradients() {
    // The recorder's boxes (dense slices, and sparse embedding rows added into them) hold the same
    // numbers as plain autograd's full-size gradients, which are zero outside the box.
    SuperTransformer net = makeNet(0.0);
    net->train();
    const ArchConfig arch = m_space.sample(uint64_t{5});
    at::manual_seed(5);
    const at::Tensor src = at::randint(4, 50, {3, 8}, at::kLong);
    auto run = [&] {
      at::manual_seed(6);  // routers may draw noise
      const ModelOutput out = net->forward(src, src.narrow(1, 0, 6), arch);
      (out.logits.pow(2).mean() + out.moe.meanAuxLoss()).backward();
    };
    net->zero_grad(true);
    run();
    std::map<const void*, at::Tensor> plain;
    for (const auto& kv : net->named_parameters())
      if (kv.value().grad().defined()) plain[kv.value().unsafeGetTensorImpl()] = kv.value().grad().clone();
    net->zero_grad(true);
    SliceRecorder recorder;
    {
      SliceRecorder::Scope scope(recorder);
      run();
    }
    std::map<const void*, std::string> names;
    for (const auto& kv : net->named_parameters()) names[kv.value().unsafeGetTensorImpl()] = kv.key();
    int checked = 0;
    for (const auto& box : recorder.boxGradients()) {
      const std::string& name = names.at(box.param.unsafeGetTensorImpl());
      QVERIFY(!box.grad.is_sparse());
      const at::Tensor& full = plain.at(box.param.unsafeGetTensorImpl());
      at::Tensor inside = full;
      for (int64_t d = 0; d < full.dim(); ++d) inside = inside.narrow(d, 0, box.grad.size(d));
      QVERIFY2(at::allclose(box.grad, inside, 1e-4, 1e-6), name.c_str());
      QVERIFY(std::abs(full.abs().sum().item<double>() - inside.abs().sum().item<double>()) <= 1e-6 * (1 + full.abs().sum().item<double>()));
      ++checked;
    }
    QVERIFY(checked > 20);
  }

  void paddingDoesNotChangeRealTokens() {
    SuperTransformer net = makeNet(0.1);
    net->eval();
    torch::NoGradGuard noGrad;
    const ArchConfig arch = m_space.sample(uint64_t{17});
    at::manual_seed(8);
    const at::Tensor src = at::randint(4, 50, {1, 6}, at::kLong);
    const at::Tensor prev = at::randint(4, 50, {1, 4}, at::kLong);
    const at::Tensor alone = net->forward(src, prev, arch).logits;
    // Same sentence right-padded inside a batch with a longer one.
    at::Tensor srcB = at::full({2, 9}, kPadIndex, at::kLong), prevB = at::full({2, 7}, kPadIndex, at::kLong);
    srcB.index_put_({0, Slice(0, 6)}, src[0]);
    prevB.index_put_({0, Slice(0, 4)}, prev[0]);
    srcB.index_put_({1}, at::randint(4, 50, {9}, at::kLong));
    prevB.index_put_({1}, at::randint(4, 50, {7}, at::kLong));
    const at::Tensor batched = net->forward(srcB, prevB, arch).logits;
    QVERIFY((batched.index({0, Slice(0, 4)}) - alone[0]).abs().max().item<double>() < 1e-5);
  }

  void routingStatisticsCoverEveryLayer() {
    SuperTransformer net = makeNet(0.0);
    net->eval();
    torch::NoGradGuard noGrad;
    ArchConfig arch = m_space.largest();  // 3 + 3 layers, 4 / 3 experts
    at::Tensor src = at::randint(4, 50, {2, 5}, at::kLong);
    src.index_put_({1, Slice(3, None)}, kPadIndex);  // 2 pads are not routed
    const at::Tensor prev = at::randint(4, 50, {2, 4}, at::kLong);
    const ModelOutput out = net->forward(src, prev, arch);
    QCOMPARE(out.moe.layers.size(), size_t(6));
    QCOMPARE(out.moe.auxLosses.size(), size_t(6));
    QCOMPARE(out.moe.auxTerms.at("balance").size(), size_t(6));
    for (const auto& l : out.moe.layers) {
      const int64_t routed = l.expertTokens.sum().item<int64_t>();
      const int64_t k = arch.encoder.layers[0].effectiveTopK();
      QCOMPARE(routed, 8 * k);  // encoder: 10 tokens - 2 pads; decoder: 2 x 4
    }
    QCOMPARE(out.moe.layers[0].expertTokens.size(0), int64_t(4));
    QCOMPARE(out.moe.layers[3].expertTokens.size(0), int64_t(3));
  }

  void forwardRejectsForeignSubnets() {
    SuperTransformer net = makeNet(0.0);
    ArchConfig arch = m_space.largest();
    arch.decoder.layers[0].router = "no_such_router";
    const at::Tensor src = at::randint(4, 50, {1, 3}, at::kLong);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, net->forward(src, src, arch));
  }

  // The embedding dropout of a subnet of width d is dropout * d / super width, per stack (HAT's
  // scaling: a narrow subnet gets less dropout). Observed through the gradient of the embedding
  // table: each row is used once, by one token (src and prev tokens all distinct), so its first
  // d entries get sqrt(d) * mask * (gradient of the dropped-out input): zero exactly where the
  // mask dropped. The fraction of zeros estimates p over 2000 x d entries (standard deviation
  // <= 0.0035 here); the nearest wrong rates (unscaled 0.4, or scaled by the other stack's width)
  // lie >= 0.06 away.
  void embeddingDropoutScalesWithTheSampledWidth() {
    ModelOptions o = test::tinyModelOptions();
    o.vocabSize = 4100;
    o.maxPositions = 128;
    o.dropout = 0.4;
    o.attentionDropout = 0;
    o.routerJitter = 0;
    at::manual_seed(3);
    SuperTransformer net(SuperTransformerOptions(ModelShape::forSupernet(m_space, o), o));
    const int64_t B = 20, S = 100;
    const at::Tensor src = at::arange(4, 4 + B * S, at::kLong).view({B, S});                   // [B*S] -> [B, S]
    const at::Tensor prev = at::arange(4 + B * S, 4 + 2 * B * S, at::kLong).view({B, S});      // [B*S] -> [B, S]
    const int encSuper = m_space.encoder.maxEmbedDim(), decSuper = m_space.decoder.maxEmbedDim();
    // Fraction of zero gradient entries in the first d columns of the rows of `tokens`.
    auto zeroFraction = [&](const at::Tensor& tokens, int64_t d) {
      const at::Tensor g = net->embed_tokens->weight.grad().index_select(0, tokens.reshape(-1)).narrow(1, 0, d);
      return g.eq(0).to(at::kDouble).mean().item<double>();
    };
    auto run = [&](const ArchConfig& arch, bool train) {
      net->train(train);
      net->zero_grad(/*set_to_none=*/true);
      MoeStats stats;
      const ForwardContext ctx;
      const EncoderOutput enc = net->encode(src, arch, &stats);
      // The decoder's features, not the logits: the tied output projection would give every row
      // of the table a gradient.
      const at::Tensor dec = net->decoder->forward(prev, enc, arch.decoder, *net->embed_tokens, nullptr, ctx, stats);
      ((enc.layers.back() * at::randn_like(enc.layers.back())).sum() + (dec * at::randn_like(dec)).sum()).backward();
    };
    for (int encDim : m_space.encoder.embedDim)
      for (int decDim : m_space.decoder.embedDim) {
        ArchConfig arch = m_space.smallest();
        arch.encoder.embedDim = encDim;
        arch.decoder.embedDim = decDim;
        at::manual_seed(11);
        run(arch, true);
        const double encP = 0.4 * encDim / encSuper, decP = 0.4 * decDim / decSuper;
        const double enc = zeroFraction(src, encDim), dec = zeroFraction(prev, decDim);
        const QString what = QString("encoder %1/%2: %3 zeros (p %4); decoder %5/%6: %7 zeros (p %8)")
                                 .arg(encDim).arg(encSuper).arg(enc).arg(encP).arg(decDim).arg(decSuper).arg(dec).arg(decP);
        QVERIFY2(std::abs(enc - encP) < 0.015, qPrintable(what));
        QVERIFY2(std::abs(dec - decP) < 0.015, qPrintable(what));
        // Control: without dropout (eval) no entry of those rows has a zero gradient.
        run(arch, false);
        QCOMPARE(zeroFraction(src, encDim), 0.0);
        QCOMPARE(zeroFraction(prev, decDim), 0.0);
      }
  }

  void sinusoidsMatchFairseq() {
    const at::Tensor t = sinusoidalTable(10, 8);
    QCOMPARE(t[kPadIndex].abs().sum().item<double>(), 0.0);
    // position 3, frequency index 1 of 4: sin(3 * exp(-ln(1e4)/3)), cos in column 4 + 1.
    const double f = std::exp(-std::log(10000.0) / 3);
    QVERIFY(std::abs(t[3][1].item<double>() - std::sin(3 * f)) < 1e-6);
    QVERIFY(std::abs(t[3][5].item<double>() - std::cos(3 * f)) < 1e-6);
    const at::Tensor pos = makePositions(at::tensor({7, 8, 1, 1}, at::kLong).view({1, 4}));
    QCOMPARE(pos[0][0].item<int64_t>(), kPadIndex + 1);
    QCOMPARE(pos[0][1].item<int64_t>(), kPadIndex + 2);
    QCOMPARE(pos[0][3].item<int64_t>(), kPadIndex);
  }
};

QTEST_APPLESS_MAIN(TestSuperTransformer)
#include "test_super_transformer.moc"
