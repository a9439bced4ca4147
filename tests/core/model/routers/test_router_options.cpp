// The project's router options: defaults from the spec, parsing of "routers",
// "expert_output_masking" and "cmr" in the model section, round trip, and loud errors.
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include "project/model_options.h"
#include "util/config_error.h"
#include "util/json_reader.h"

using namespace automoe;

class TestRouterOptions final : public QObject {
  Q_OBJECT

  static ModelOptions parse(const nlohmann::json& j) { return ModelOptions::fromJson(JsonReader(j, "test", "model")); }

 private Q_SLOTS:
  void defaultsFollowTheSpec() {
    const RouterOptions o = parse(nlohmann::json::object()).routing;
    QCOMPARE(o.switchTop1.capacityFactor, 1.25);
    QCOMPARE(o.gshardTop2.secondPolicy, std::string("sampling"));
    QCOMPARE(o.competeSmoe.rateFlip, 0.05);
    QCOMPARE(o.competeSmoe.warmUp, 0.05);
    QCOMPARE(o.competeSmoe.maxCompeteInIter, 3);
    QCOMPARE(o.competeSmoe.affinity, std::string("softplus_mean"));
    QCOMPARE(o.competeSmoe.routerLossCoef, 0.01);
    QCOMPARE(o.stratified.strata, 2);
    QCOMPARE(o.masking.eom, 0.0);
    QVERIFY(!o.cmr.enabled);
    QCOMPARE(o.cmr.target, 0.8);
  }

  void parsesAndRoundTrips() {
    const nlohmann::json j = {
        {"routers",
         {{"competesmoe", {{"rate_flip", 0.1}, {"max_compete_in_iter", 2}, {"affinity", "l2_norm"}, {"seed", 9}}},
          {"smoe_dropout", {{"k_min", 2}, {"k_max", 8}}},
          {"stratified", {{"strata", 4}, {"layer_norm", false}}},
          {"xmoe", {{"routing_dim", 8}}}}},
        {"expert_output_masking", {{"eom", 0.1}}},
        {"cmr", {{"enabled", true}, {"target", 0.7}}}};
    const ModelOptions m = parse(j);
    QCOMPARE(m.routing.competeSmoe.rateFlip, 0.1);
    QCOMPARE(m.routing.competeSmoe.maxCompeteInIter, 2);
    QCOMPARE(m.routing.competeSmoe.affinity, std::string("l2_norm"));
    QCOMPARE(m.routing.competeSmoe.seed, uint64_t(9));
    QCOMPARE(m.routing.smoeDropout.kMax, 8);
    QCOMPARE(m.routing.stratified.strata, 4);
    QVERIFY(!m.routing.stratified.layerNorm);
    QCOMPARE(m.routing.xmoe.routingDim, 8);
    QCOMPARE(m.routing.masking.eom, 0.1);
    QVERIFY(m.routing.cmr.enabled);
    const ModelOptions again = parse(m.toJson());
    QCOMPARE(again.toJson(), m.toJson());
    QCOMPARE(again.routing.cmr.target, 0.7);
  }

  void rejectsMistakes() {
    for (const nlohmann::json& bad :
         {nlohmann::json{{"routers", {{"competesmoe", {{"rate_flp", 0.1}}}}}},
          nlohmann::json{{"routers", {{"no_such_router", nlohmann::json::object()}}}},
          nlohmann::json{{"routers", {{"gshard_top2", {{"second_policy", "best"}}}}}},
          nlohmann::json{{"routers", {{"stratified", {{"strata", 0}}}}}},
          nlohmann::json{{"expert_output_masking", {{"fom", 1.5}}}},
          nlohmann::json{{"cmr", {{"gate_dropout", -0.1}}}}}) {
      bool threw = false;
      try {
        parse(bad);
      } catch (const ConfigError&) {
        threw = true;
      }
      QVERIFY2(threw, bad.dump().c_str());
    }
  }
};

QTEST_APPLESS_MAIN(TestRouterOptions)
#include "test_router_options.moc"
