// computeArchStats against small cases worked out by hand.
#include <QtTest/QtTest>

#include "arch/arch_config.h"
#include "arch/arch_stats.h"

using namespace automoe;

class TestArchStats final : public QObject {
  Q_OBJECT

  // Encoder: d=4, one dense layer (FFN 8). Decoder: d=4, one layer with 2 experts (FFN 8 and 4),
  // top-1, attending to the last encoder layer. qkv 4, vocabulary 10.
  static ArchConfig handArch() {
    ArchConfig a;
    a.encoder.embedDim = 4;
    LayerArch e;
    e.heads = 2;
    e.expertFfnDims = {8};
    a.encoder.layers = {e};
    a.decoder.embedDim = 4;
    LayerArch d;
    d.heads = 2;
    d.endeHeads = 2;
    d.arbitraryEndeAttn = -1;
    d.expertFfnDims = {8, 4};
    d.topK = 1;
    a.decoder.layers = {d};
    return a;
  }

 private Q_SLOTS:
  void parametersByHand() {
    const ArchStats s = computeArchStats(handArch(), /*qkv=*/4, /*vocab=*/10, 3, 2);
    // attention: W_qkv 12x4 + b 12 + W_out 4x4 + b 4 = 80; two layer norms 2x8 = 16;
    // expert FFN 8: 8x4 + 8 + 4x8 + 4 = 76                                     -> encoder 172
    QCOMPARE(s.encoderLayers[0].params, int64_t(172));
    // self 80 + cross 80 + three layer norms 24 + experts 76 + (4x4 + 4 + 4x4 + 4 = 40)
    // + router 2x4 + 2 = 10                                                    -> decoder 310
    QCOMPARE(s.decoderLayers[0].params, int64_t(310));
    QCOMPARE(s.embeddingParams, int64_t(40));  // 10 x 4, shared
    QCOMPARE(s.totalParams, int64_t(522));
    // active: decoder replaces its 116 expert parameters by the mean expert (58): 252
    QCOMPARE(s.decoderLayers[0].activeParams, 252.0);
    QCOMPARE(s.activeParams, 40.0 + 172.0 + 252.0);
    QVERIFY(std::abs(s.sparsity() - (1.0 - 424.0 / 482.0)) < 1e-12);
  }

  void flopsByHand() {
    const ArchStats s = computeArchStats(handArch(), 4, 10, /*src=*/3, /*tgt=*/2);
    // encoder MACs: QKV 3*12*4=144, QK^T+AV 2*3*3*4=72, out 3*4*4=48, FFN 3*(8*4+4*8)=192 -> 456
    QCOMPARE(s.encoderLayers[0].flops, 2.0 * 456);
    // decoder MACs: self QKV 2*12*4=96, products 2*2*2*4=32, out 32; cross Q 32,
    // K/V 3*8*4=96, products 2*2*3*4=48, out 32; router 2*2*4=16 + mean expert 2*(64+32)/2=96
    QCOMPARE(s.decoderLayers[0].flops, 2.0 * (96 + 32 + 32 + 32 + 96 + 48 + 32 + 16 + 96));
    QCOMPARE(s.outputProjectionFlops, 2.0 * 2 * 4 * 10);
    QCOMPARE(s.flops, 2.0 * (456 + 480 + 80));
  }

  void arbitraryAttentionScalesMemory() {
    ArchConfig a = handArch();
    a.encoder.layers.push_back(a.encoder.layers[0]);  // 2 encoder layers
    a.decoder.layers[0].arbitraryEndeAttn = 1;        // attends to both: memory of 2*3 tokens
    const ArchStats two = computeArchStats(a, 4, 10, 3, 2);
    a.decoder.layers[0].arbitraryEndeAttn = 2;        // asks for 3, clamped to the 2 that exist
    const ArchStats clamped = computeArchStats(a, 4, 10, 3, 2);
    a.decoder.layers[0].arbitraryEndeAttn = -1;
    const ArchStats one = computeArchStats(a, 4, 10, 3, 2);
    // extra memory of 3 tokens: K/V projection 3*8*4 = 96 MACs, products 2*2*3*4 = 48 MACs
    QCOMPARE(two.decoderLayers[0].flops - one.decoderLayers[0].flops, 2.0 * (96 + 48));
    QCOMPARE(clamped.flops, two.flops);
    QCOMPARE(two.totalParams, one.totalParams);  // attention span costs compute, not weights
  }

  void conditionalRoutingAddsADenseFfnAndAGate() {
    CostOptions cmr;
    cmr.cmr = true;
    const ArchStats s = computeArchStats(handArch(), 4, 10, 3, 2, cmr);
    // decoder MoE layer: dense FFN at its widest expert (8): 8x4 + 8 + 4x8 + 4 = 76; gate 4 + 1
    QCOMPARE(s.decoderLayers[0].params, int64_t(310 + 76 + 5));
    QCOMPARE(s.encoderLayers[0].params, int64_t(172));  // dense layers have no CMR
    QCOMPARE(s.decoderLayers[0].activeParams, 252.0 + 81.0);
    QCOMPARE(s.decoderLayers[0].flops - computeArchStats(handArch(), 4, 10, 3, 2).decoderLayers[0].flops,
             2.0 * 2 * (2 * 8 * 4 + 4));  // 2 tokens x (dense FFN + gate) MACs
  }

  void perLayerOptionsApplyToTheirLayerOnly() {
    ArchConfig a = handArch();
    a.decoder.layers.push_back(a.decoder.layers[0]);  // two identical MoE layers
    CostOptions o;
    o.decoderLayers.resize(2);
    o.decoderLayers[1].cmr = true;  // CMR in decoder layer 1 only
    const ArchStats s = computeArchStats(a, 4, 10, 3, 2, o);
    QCOMPARE(s.decoderLayers[0].params, int64_t(310));
    QCOMPARE(s.decoderLayers[1].params, int64_t(310 + 76 + 5));
    o.cmr = true;  // model-wide on, but both layers have their own entry
    QCOMPARE(computeArchStats(a, 4, 10, 3, 2, o).decoderLayers[0].params, int64_t(310));
    o.decoderLayers.resize(1);  // a layer without an entry takes the model-wide value
    QCOMPARE(computeArchStats(a, 4, 10, 3, 2, o).decoderLayers[1].params, int64_t(310 + 76 + 5));
  }

  void routerShapesFollowTheirType() {
    ArchConfig a = handArch();
    a.decoder.layers[0].router = "xmoe";  // projection d_r x d plus expert embeddings n x d_r
    CostOptions o;
    o.routers.xmoeRoutingDim = 3;
    QCOMPARE(computeArchStats(a, 4, 10, 3, 2, o).decoderLayers[0].params,
             int64_t(310 - 10 + routerParamCount("xmoe", 2, 4, o.routers)));
    QCOMPARE(routerParamCount("xmoe", 2, 4, o.routers), int64_t(3 * 4 + 2 * 3));
  }

  void topKCountsRoutedExperts() {
    ArchConfig a = handArch();
    a.decoder.layers[0].topK = 2;  // both experts for every token
    const ArchStats s = computeArchStats(a, 4, 10, 3, 2);
    QCOMPARE(s.decoderLayers[0].activeParams, 184.0 + 116.0 + 10.0);
    a.decoder.layers[0].router = "switch_top1";  // switch routes to one expert whatever top_k says
    QCOMPARE(computeArchStats(a, 4, 10, 3, 2).decoderLayers[0].activeParams, 252.0);
  }
};

QTEST_APPLESS_MAIN(TestArchStats)
#include "test_arch_stats.moc"
