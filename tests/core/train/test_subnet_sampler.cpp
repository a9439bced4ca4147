// SubnetSampler: every choice is a pure function of (seed, step) (resumed runs and data-parallel
// ranks train the same sequence); different steps and seeds give different subnets; uniform
// sampling reaches every choice of every gene with about equal frequency; sandwich is largest,
// smallest, then a random subnet of the space, in that order, at every update.
#include <QtTest/QtTest>

#include <map>
#include <set>
#include <stdexcept>

#include "arch/arch_config.h"
#include "arch/search_space.h"
#include "support/tiny_space.h"
#include "train/subnet_sampler.h"

using namespace automoe;

namespace {

// How often each value of each gene was drawn, keyed "<stack>.<gene>".
using GeneCounts = std::map<std::string, std::map<std::string, int>>;

void countStack(GeneCounts& c, const std::string& stack, const StackArch& s, bool decoder) {
  ++c[stack + ".embed_dim"][std::to_string(s.embedDim)];
  ++c[stack + ".layers"][std::to_string(s.numLayers())];
  for (const LayerArch& l : s.layers) {
    ++c[stack + ".heads"][std::to_string(l.heads)];
    ++c[stack + ".experts"][std::to_string(l.numExperts())];
    ++c[stack + ".top_k"][std::to_string(l.topK)];
    ++c[stack + ".routers"][l.router];
    for (int f : l.expertFfnDims) ++c[stack + ".ffn_dim"][std::to_string(f)];
    if (decoder) {
      ++c[stack + ".ende_heads"][std::to_string(l.endeHeads)];
      ++c[stack + ".arbitrary_ende_attn"][std::to_string(l.arbitraryEndeAttn)];
    }
  }
}

std::set<std::string> asStrings(const std::vector<int>& v) {
  std::set<std::string> out;
  for (int x : v) out.insert(std::to_string(x));
  return out;
}

// The choices of every gene as the space lists them, keyed like GeneCounts.
std::map<std::string, std::set<std::string>> choices(const SearchSpace& space) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& [name, s] : {std::pair<std::string, const StackSpace*>{"encoder", &space.encoder},
                                {"decoder", &space.decoder}}) {
    out[name + ".embed_dim"] = asStrings(s->embedDim);
    out[name + ".layers"] = asStrings(s->layers);
    out[name + ".heads"] = asStrings(s->heads);
    out[name + ".experts"] = asStrings(s->experts);
    out[name + ".top_k"] = asStrings(s->topK);
    out[name + ".routers"] = std::set<std::string>(s->routers.begin(), s->routers.end());
    out[name + ".ffn_dim"] = asStrings(s->ffnDim);
    if (name == "decoder") {
      out[name + ".ende_heads"] = asStrings(s->endeHeads);
      out[name + ".arbitrary_ende_attn"] = asStrings(s->arbitraryEndeAttn);
    }
  }
  return out;
}

}  // namespace

class TestSubnetSampler final : public QObject {
  Q_OBJECT

  const SearchSpace m_space = test::tinySpace();

 private Q_SLOTS:
  void sameSeedAndStepGiveTheSameSubnets() {
    for (const char* rule : {"uniform", "sandwich"}) {
      const SubnetSampler a(m_space, rule, 42), b(m_space, rule, 42);
      // b is asked in another order, with repeats: no history, only (seed, step).
      std::map<int64_t, std::vector<ArchConfig>> fromB;
      for (int64_t s = 299; s >= 0; --s) fromB[s] = b.forStep(s);
      for (int64_t s = 0; s < 300; s += 7) QVERIFY(b.forStep(s) == fromB[s]);
      for (int64_t s = 0; s < 300; ++s) QVERIFY2(a.forStep(s) == fromB[s], qPrintable(QString("%1 step %2").arg(rule).arg(s)));
    }
  }

  void differentStepsAndSeedsGiveDifferentSubnets() {
    const SubnetSampler a(m_space, "uniform", 42), b(m_space, "uniform", 43);
    const int steps = 300;
    int nextDiffers = 0, seedDiffers = 0;
    std::set<std::string> distinct;
    for (int64_t s = 0; s < steps; ++s) {
      const ArchConfig x = a.forStep(s).at(0);
      nextDiffers += x != a.forStep(s + 1).at(0);
      seedDiffers += x != b.forStep(s).at(0);
      distinct.insert(x.toJson().dump());
    }
    // The tiny space has ~10^10 subnets: a repeat among 300 draws is very unlikely, so "most"
    // leaves room only for the odd collision.
    QVERIFY2(nextDiffers >= steps - 3, qPrintable(QString::number(nextDiffers)));
    QVERIFY2(seedDiffers >= steps - 3, qPrintable(QString::number(seedDiffers)));
    QVERIFY2(int(distinct.size()) >= steps - 3, qPrintable(QString::number(distinct.size())));
  }

  void uniformCoversEveryChoiceOfEveryGene() {
    const SubnetSampler sampler(m_space, "uniform", 7);
    GeneCounts counts;
    const int steps = 3000;
    for (int64_t s = 0; s < steps; ++s) {
      const std::vector<ArchConfig> archs = sampler.forStep(s);
      QCOMPARE(archs.size(), size_t(1));
      QVERIFY(archs[0].validate(m_space).empty());
      countStack(counts, "encoder", archs[0].encoder, false);
      countStack(counts, "decoder", archs[0].decoder, true);
    }
    for (const auto& [gene, values] : choices(m_space)) {
      std::set<std::string> seen;
      int total = 0;
      for (const auto& [v, n] : counts[gene]) {
        seen.insert(v);
        total += n;
      }
      QVERIFY2(seen == values, gene.c_str());  // every choice drawn, nothing else
      // About uniform: each choice within 25% of total / choices (>= ~6 standard deviations at
      // the smallest counts here, ~1000 draws per value of a two-choice stack gene).
      const double expected = double(total) / double(values.size());
      for (const auto& [v, n] : counts[gene])
        QVERIFY2(std::abs(n - expected) < 0.25 * expected,
                 qPrintable(QString("%1 = %2: %3 of %4 draws (expected %5)")
                                .arg(gene.c_str(), v.c_str()).arg(n).arg(total).arg(expected)));
    }
  }

  void sandwichIsLargestSmallestThenARandomSubnet() {
    const SubnetSampler sampler(m_space, "sandwich", 11);
    const ArchConfig largest = m_space.largest(), smallest = m_space.smallest();
    // The extremes themselves: every choice at its max (min) in both stacks.
    QCOMPARE(largest.encoder.embedDim, 16);
    QCOMPARE(largest.encoder.numLayers(), 3);
    QCOMPARE(largest.decoder.layers.at(0).expertFfnDims, (std::vector<int>{32, 32, 32}));
    QCOMPARE(smallest.decoder.embedDim, 8);
    QCOMPARE(smallest.encoder.numLayers(), 1);
    QCOMPARE(smallest.encoder.layers.at(0).expertFfnDims, (std::vector<int>{8}));
    std::set<std::string> third;
    const int steps = 200;
    for (int64_t s = 0; s < steps; ++s) {
      const std::vector<ArchConfig> archs = sampler.forStep(s);
      QCOMPARE(archs.size(), size_t(3));
      QVERIFY(archs[0] == largest);
      QVERIFY(archs[1] == smallest);
      QVERIFY(archs[2].validate(m_space).empty());
      third.insert(archs[2].toJson().dump());
    }
    QVERIFY2(int(third.size()) >= steps - 3, qPrintable(QString::number(third.size())));  // random, not fixed
  }

  void fixedAlwaysGivesItsSubnet() {
    const ArchConfig arch = m_space.sample(uint64_t(99));
    const SubnetSampler sampler = SubnetSampler::fixed(arch);
    QCOMPARE(QString::fromStdString(sampler.rule()), QString("fixed"));
    for (int64_t s : {0, 1, 17, 100000}) QVERIFY(sampler.forStep(s) == std::vector<ArchConfig>{arch});
  }

  void unknownRuleIsRefused() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, SubnetSampler(m_space, "random", 1));
  }
};

QTEST_APPLESS_MAIN(TestSubnetSampler)
#include "test_subnet_sampler.moc"
