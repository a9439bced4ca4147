// LatencySampler: extremes first, coverage of every (decoder depth, expert count) pair, distinct
// in-space subnets, and a prefix-stable deterministic plan (what makes datasets resumable).
#include <QtTest/QtTest>

#include <set>

#include "arch/arch_config.h"
#include "arch/gene_codec.h"
#include "latency/latency_sampler.h"
#include "project/project.h"
#include "support/tiny_space.h"

using namespace automoe;

class TestLatencySampler final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void startsWithTheExtremesAndStaysInTheSpace() {
    const SearchSpace space = test::tinySpace();
    const LatencySampler sampler(space, 7);
    const auto plan = sampler.plan(40);
    QCOMPARE(plan.size(), size_t{40});
    QVERIFY(plan[0] == space.largest());
    QVERIFY(plan[1] == space.smallest());
    std::set<std::vector<int>> genes;
    for (const auto& a : plan) {
      QVERIFY2(a.validate(space).empty(), a.summary().c_str());
      genes.insert(sampler.codec().encode(a));
    }
    QCOMPARE(genes.size(), plan.size());
  }

  void coversDepthsAndExpertCountsEarly() {
    const Project p = Project::load(AUTOMOE_SOURCE_DIR "/projects/wmt14-en-de/project.json");
    const LatencySampler sampler(p.space, 1);
    // 6 depths x 6 expert counts: 36 rounds after the two extremes visit every pair.
    const auto plan = sampler.plan(2 + 36);
    std::set<int> depths;
    std::set<std::pair<int, int>> depthByMaxExperts;
    double minMean = 1e9, maxMean = 0;
    for (size_t i = 2; i < plan.size(); ++i) {
      const StackArch& dec = plan[i].decoder;
      depths.insert(dec.numLayers());
      double sum = 0;
      int mostCommon = 0, bestCount = 0;
      std::map<int, int> counts;
      for (const auto& l : dec.layers) {
        sum += l.numExperts();
        if (++counts[l.numExperts()] > bestCount) {
          bestCount = counts[l.numExperts()];
          mostCommon = l.numExperts();
        }
      }
      depthByMaxExperts.insert({dec.numLayers(), mostCommon});
      minMean = std::min(minMean, sum / dec.numLayers());
      maxMean = std::max(maxMean, sum / dec.numLayers());
    }
    QCOMPARE(depths.size(), size_t{6});
    // Mean expert counts spread over most of [1, 6], not just around the uniform mean 3.5.
    QVERIFY2(minMean <= 2.0 && maxMean >= 5.0, qPrintable(QString("%1..%2").arg(minMean).arg(maxMean)));
    QVERIFY(depthByMaxExperts.size() >= 20);
  }

  void planIsDeterministicAndPrefixStable() {
    const SearchSpace space = test::tinySpace();
    const auto a = LatencySampler(space, 3).plan(25);
    const auto b = LatencySampler(space, 3).plan(10);
    const auto c = LatencySampler(space, 4).plan(25);
    QCOMPARE(b.size(), size_t{10});
    for (size_t i = 0; i < b.size(); ++i) QVERIFY(a[i] == b[i]);
    int differ = 0;
    for (size_t i = 2; i < a.size(); ++i) differ += a[i] != c[i];
    QVERIFY(differ > 10);  // another seed, another plan (beyond the fixed extremes)
  }

  void stopsWhenATinySpaceIsExhausted() {
    const nlohmann::json j = {
        {"format_version", 1}, {"qkv_dim", 8}, {"fractional_experts", false},
        {"encoder", {{"embed_dim", {8}}, {"layers", {1}}, {"ffn_dim", {8}}, {"heads", {2}}}},
        {"decoder", {{"embed_dim", {8}}, {"layers", {1, 2}}, {"ffn_dim", {8}}, {"heads", {2}}}}};
    const SearchSpace space = SearchSpace::fromJson(j, "two_subnets");
    const auto plan = LatencySampler(space, 1).plan(10);
    QCOMPARE(plan.size(), size_t{2});
  }
};

QTEST_APPLESS_MAIN(TestLatencySampler)
#include "test_latency_sampler.moc"
