// GeneCodec: ArchConfig -> genes -> ArchConfig is the identity; bad gene vectors are refused.
#include <QtTest/QtTest>

#include "arch/arch_config.h"
#include "arch/gene_codec.h"
#include "project/project.h"
#include "support/tiny_space.h"
#include "util/config_error.h"
#include "util/rng.h"

using namespace automoe;

class TestGeneCodec final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void roundTrip_data() {
    QTest::addColumn<bool>("fractional");
    QTest::newRow("fractional experts") << true;
    QTest::newRow("shared expert width") << false;
  }
  void roundTrip() {
    QFETCH(bool, fractional);
    const SearchSpace s = test::tinySpace(fractional);
    const GeneCodec codec(s);
    Rng rng(1);
    for (int i = 0; i < 500; ++i) {
      const ArchConfig a = s.sample(rng);
      const std::vector<int> g = codec.encode(a);
      QCOMPARE(g.size(), codec.size());
      QVERIFY(codec.decode(g) == a);
    }
  }

  void everyGeneVectorDecodesToAValidSubnet() {
    const SearchSpace s = test::tinySpace();
    const GeneCodec codec(s);
    Rng rng(2);
    for (int i = 0; i < 500; ++i) {
      std::vector<int> g(codec.size());
      for (size_t j = 0; j < g.size(); ++j) g[j] = static_cast<int>(rng.uniformIndex(codec.genes()[j].cardinality));
      const ArchConfig a = codec.decode(g);
      QVERIFY(a.validate(s).empty());
      QVERIFY(codec.decode(codec.encode(a)) == a);
    }
  }

  void layoutOfThePaperSpace() {
    const Project p = Project::load(AUTOMOE_SOURCE_DIR "/projects/wmt14-en-de/project.json");
    const GeneCodec codec(p.space);
    // per stack: embed + layers; per encoder layer heads, experts, top-k, router + 6 expert widths
    // (10); per decoder layer additionally ende heads and arbitrary attention (12).
    QCOMPARE(codec.size(), size_t(2 + 6 * 10 + 2 + 6 * 12));
    QCOMPARE(QString::fromStdString(codec.genes()[2].name), QString("encoder.layers[0].heads"));
    QCOMPARE(codec.genes()[3].cardinality, 6);  // experts 1..6
  }

  void refusesMalformedGenes() {
    const GeneCodec codec(test::tinySpace());
    std::vector<int> g = codec.encode(test::tinySpace().largest());
    QVERIFY_THROWS_EXCEPTION(ConfigError, codec.decode(std::vector<int>(g.begin(), g.end() - 1)));
    g[0] = 99;
    try {
      codec.decode(g);
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY(QString(e.what()).contains("encoder.embed_dim = 99 is out of range"));
    }
    ArchConfig outside = test::tinySpace().largest();
    outside.encoder.embedDim = 7;
    QVERIFY_THROWS_EXCEPTION(ConfigError, codec.encode(outside));
  }
};

QTEST_APPLESS_MAIN(TestGeneCodec)
#include "test_gene_codec.moc"
