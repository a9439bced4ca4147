// The project's router options: defaults from the spec, parsing of "routers",
// "expert_output_masking" and "cmr" in the model section, per-layer "layer_routing" rules (merged
// in order on the model-wide values), round trip, and loud errors naming the field.
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include "project/model_options.h"
#include "project/project.h"
#include "util/config_error.h"
#include "util/json_reader.h"

using namespace automoe;

class TestRouterOptions final : public QObject {
  Q_OBJECT

  static ModelOptions parse(const nlohmann::json& j) { return ModelOptions::fromJson(JsonReader(j, "test", "model")); }

  static QString errorOf(const std::function<void()>& f) {
    try {
      f();
    } catch (const ConfigError& e) {
      return QString::fromUtf8(e.what());
    }
    return {};
  }

  static nlohmann::json layeredModel() {
    return {{"capacity_factor", 1.5},
            {"cmr", {{"gate_dropout", 0.2}, {"target", 0.7}}},
            {"routers", {{"switch_top1", {{"capacity_factor", 1.1}}}}},
            {"layer_routing",
             {{{"stack", "decoder"}, {"layers", {1, 2}}, {"cmr", {{"enabled", true}}}},
              {{"stack", "encoder"}, {"expert_output_masking", {{"eom", 0.2}}}, {"z_loss_coef", 0.0}},
              {{"stack", "decoder"},
               {"layers", {2}},
               {"cmr", {{"target", 0.5}}},
               {"capacity_factor", 2.0},
               {"routers", {{"switch_top1", {{"eval_capacity_factor", 3.0}}}}}}}}};
  }

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

  void layerRulesApplyInOrderOnTheModelWideValues() {
    const ModelOptions m = parse(layeredModel());
    QCOMPARE(m.layerRouting.size(), size_t(3));
    // Model-wide values are untouched by the rules.
    QVERIFY(!m.routing.cmr.enabled);
    QCOMPARE(m.routing.masking.eom, 0.0);
    QCOMPARE(m.capacityFactor, 1.5);

    const ModelOptions d0 = m.forLayer(true, 0);  // no rule covers it
    QCOMPARE(d0.toJson(), m.toJson());
    const ModelOptions d1 = m.forLayer(true, 1);  // rule 0 only
    QVERIFY(d1.routing.cmr.enabled);
    QCOMPARE(d1.routing.cmr.gateDropout, 0.2);  // kept from the model-wide "cmr"
    QCOMPARE(d1.routing.cmr.target, 0.7);
    QCOMPARE(d1.capacityFactor, 1.5);
    QCOMPARE(d1.routing.masking.eom, 0.0);  // the encoder rule is not the decoder's
    const ModelOptions d2 = m.forLayer(true, 2);  // rules 0 and 2, the later one winning
    QVERIFY(d2.routing.cmr.enabled);
    QCOMPARE(d2.routing.cmr.target, 0.5);
    QCOMPARE(d2.capacityFactor, 2.0);
    QCOMPARE(d2.routing.switchTop1.capacityFactor, 1.1);  // kept: the rule sets the eval factor only
    QCOMPARE(d2.routing.switchTop1.evalCapacityFactor, 3.0);
    for (int l : {0, 5}) {  // a rule without "layers" covers every layer of its stack
      const ModelOptions e = m.forLayer(false, l);
      QCOMPARE(e.routing.masking.eom, 0.2);
      QCOMPARE(e.zLossCoef, 0.0);
      QVERIFY(!e.routing.cmr.enabled);
    }

    const ModelOptions again = parse(m.toJson());
    QCOMPARE(again.toJson(), m.toJson());
    QCOMPARE(again.forLayer(true, 2).toJson(), d2.toJson());
    QVERIFY(!parse(nlohmann::json::object()).toJson().contains("layer_routing"));
  }

  void layerRuleMistakesNameTheirField() {
    const std::vector<std::pair<nlohmann::json, QString>> cases = {
        {{{"stack", "middle"}, {"cmr", {{"enabled", true}}}}, "'model.layer_routing[0].stack'"},
        {{{"cmr", {{"enabled", true}}}}, "'model.layer_routing[0].stack'"},
        {{{"stack", "encoder"}, {"layers", nlohmann::json::array()}, {"cmr", {{"enabled", true}}}},
         "'model.layer_routing[0].layers': is empty"},
        {{{"stack", "encoder"}, {"layers", {-1}}, {"cmr", {{"enabled", true}}}},
         "'model.layer_routing[0].layers'"},
        {{{"stack", "encoder"}, {"layers", {0}}}, "'model.layer_routing[0]': sets nothing"},
        {{{"stack", "encoder"}, {"dropout", 0.2}}, "dropout"},
        {{{"stack", "decoder"}, {"cmr", {{"target", 2.0}}}}, "'model.layer_routing[0].cmr.target'"},
        {{{"stack", "decoder"}, {"capacity_factor", -1.0}}, "'model.layer_routing[0].capacity_factor'"},
        {{{"stack", "decoder"}, {"routers", {{"competesmoe", {{"rate_flip", 0.5}}}}}},
         "'model.layer_routing[0].routers.competesmoe.rate_flip': is part of CompeteSMoE's schedule"},
        {{{"stack", "decoder"}, {"routers", {{"stratified", {{"strata", 0}}}}}},
         "'model.layer_routing[0].routers.stratified.strata'"}};
    for (const auto& [rule, needle] : cases) {
      const QString e = errorOf([&] { parse({{"layer_routing", {rule}}}); });
      QVERIFY2(e.contains(needle), qPrintable(rule.dump().c_str() + QString(" -> ") + e));
    }
    QVERIFY(errorOf([] { parse({{"layer_routing", {{"stack", "decoder"}}}}); }).contains("expected a list"));

    // Valid alone, invalid merged: checked per layer against the search space's depth.
    const ModelOptions merged = parse(
        {{"layer_routing",
          {{{"stack", "decoder"}, {"routers", {{"smoe_dropout", {{"k_min", 4}}}}}},
           {{"stack", "decoder"}, {"layers", {1}}, {"routers", {{"smoe_dropout", {{"k_max", 2}}}}}}}}});
    QCOMPARE(merged.forLayer(true, 0).routing.smoeDropout.kMin, 4);
    QVERIFY(errorOf([&] { merged.checkLayerRouting(3, 1); })
                .contains("'model.layer_routing[1].layers': the decoder has at most 1 layer (0..0), got 1"));
    QVERIFY(errorOf([&] { merged.checkLayerRouting(3, 2); })
                .contains("'model.layer_routing[1].routers.smoe_dropout.k_min': must be <= k_max"));
  }

  void projectsCheckRulesAgainstTheirSearchSpace() {
    nlohmann::json j = Project::load(AUTOMOE_SOURCE_DIR "/projects/demo/project.json").toJson();
    const auto layers = j["search_space"]["decoder"]["layers"].get<std::vector<int>>();
    const int depth = *std::max_element(layers.begin(), layers.end());
    j["model"]["layer_routing"] = {{{"stack", "decoder"}, {"layers", {depth}}, {"cmr", {{"enabled", true}}}}};
    const QString e = errorOf([&] { Project::fromJson(j, "p.json"); });
    QVERIFY2(e.contains("p.json: field 'model.layer_routing[0].layers': the decoder has at most " +
                        QString::number(depth)),
             qPrintable(e));
    j["model"]["layer_routing"][0]["layers"] = {depth - 1};
    const Project p = Project::fromJson(j, "p.json");
    QVERIFY(p.model.forLayer(true, depth - 1).routing.cmr.enabled);
    QVERIFY(!p.model.forLayer(true, 0).routing.cmr.enabled);
  }
};

QTEST_APPLESS_MAIN(TestRouterOptions)
#include "test_router_options.moc"
