// SearchSpace: JSON round trip, validation messages that name the field, seeded sampling.
#include <QtTest/QtTest>

#include <set>

#include <nlohmann/json.hpp>

#include "arch/arch_config.h"
#include "arch/search_space.h"
#include "project/project.h"
#include "util/config_error.h"

using namespace automoe;

class TestSearchSpace final : public QObject {
  Q_OBJECT

  static Project demo() { return Project::load(AUTOMOE_SOURCE_DIR "/projects/demo/project.json"); }

  static QString errorOf(const nlohmann::json& j) {
    try {
      SearchSpace::fromJson(j, "space.json");
    } catch (const ConfigError& e) {
      return QString::fromStdString(e.what());
    }
    return {};
  }

 private Q_SLOTS:
  void jsonRoundTrip() {
    const SearchSpace s = demo().space;
    const SearchSpace back = SearchSpace::fromJson(s.toJson(), "mem");
    QCOMPARE(QString::fromStdString(back.toJson().dump()), QString::fromStdString(s.toJson().dump()));
  }

  void sampledSubnetsAreValidAndSeeded() {
    const SearchSpace s = demo().space;
    for (uint64_t seed = 0; seed < 200; ++seed) {
      const ArchConfig a = s.sample(seed);
      const auto errs = a.validate(s);
      QVERIFY2(errs.empty(), errs.empty() ? "" : errs.front().c_str());
      QVERIFY(a == s.sample(seed));  // same seed, same subnet
    }
    int differing = 0;
    for (uint64_t seed = 0; seed < 50; ++seed) differing += s.sample(seed) != s.sample(seed + 1000);
    QVERIFY(differing > 45);
  }

  void samplingCoversEveryChoice() {
    const SearchSpace s = demo().space;
    std::set<int> decLayers, experts, ffn, arb;
    for (uint64_t seed = 0; seed < 300; ++seed) {
      const ArchConfig a = s.sample(seed);
      decLayers.insert(a.decoder.numLayers());
      for (const auto& l : a.decoder.layers) {
        experts.insert(l.numExperts());
        arb.insert(l.arbitraryEndeAttn);
        for (int f : l.expertFfnDims) ffn.insert(f);
      }
    }
    QCOMPARE(decLayers.size(), s.decoder.layers.size());
    QCOMPARE(experts.size(), s.decoder.experts.size());
    QCOMPARE(ffn.size(), s.decoder.ffnDim.size());
    QCOMPARE(arb.size(), s.decoder.arbitraryEndeAttn.size());
  }

  void largestAndSmallest() {
    const SearchSpace s = demo().space;
    const ArchConfig big = s.largest(), small = s.smallest();
    QVERIFY(big.validate(s).empty());
    QVERIFY(small.validate(s).empty());
    QCOMPARE(big.decoder.numLayers(), 3);
    QCOMPARE(small.decoder.numLayers(), 1);
    QCOMPARE(big.encoder.layers[0].numExperts(), 4);
    QCOMPARE(big.encoder.layers[0].expertFfnDims[3], 512);
    QCOMPARE(small.encoder.layers[0].expertFfnDims, std::vector<int>{128});
  }

  void badSpacesNameTheField() {
    nlohmann::json j = demo().space.toJson();
    j["encoder"]["heads"] = {4, 3};
    QVERIFY(errorOf(j).contains("search_space.encoder.heads: 3 heads do not divide qkv_dim 128"));

    j = demo().space.toJson();
    j["decoder"]["arbitrary_ende_attn"] = {-1, 0};
    QVERIFY(errorOf(j).contains("search_space.decoder.arbitrary_ende_attn: 0 is not one of"));

    j = demo().space.toJson();
    j["decoder"]["routers"] = {"no_such_router"};
    QVERIFY(errorOf(j).contains("unknown router type \"no_such_router\""));

    j = demo().space.toJson();
    j["encoder"]["ffn_dim"] = nlohmann::json::array();
    QVERIFY(errorOf(j).contains("search_space.encoder.ffn_dim: must list at least one choice"));

    j = demo().space.toJson();
    j["encoder"]["hedas"] = {4};
    QVERIFY(errorOf(j).contains("field 'search_space.encoder.hedas': unknown field"));

    j = demo().space.toJson();
    j["encoder"]["layers"] = "three";
    QVERIFY(errorOf(j).contains("field 'search_space.encoder.layers': expected a list of integers"));

    j = demo().space.toJson();
    j["format_version"] = 7;
    QVERIFY(errorOf(j).contains("unsupported version 7"));
  }

  void sizeOfPaperSpace() {
    // AutoMoE wmt14 space with fractional experts: about 2.2e45 architectures (automoe_spec §3.3;
    // our count also includes the single-choice top-k and router dimensions, which add nothing).
    const Project p = Project::load(AUTOMOE_SOURCE_DIR "/projects/wmt14-en-de/project.json");
    QVERIFY(std::abs(p.space.log10Size() - std::log10(2.2e45)) < 0.05);
  }
};

QTEST_APPLESS_MAIN(TestSearchSpace)
#include "test_search_space.moc"
