// Cost metrics behind one interface: analytic metrics equal computeArchStats, measured latency
// is cached by gene vector, predicted latency is the predictor's, and constraints compare in the
// metric's own unit.
#include <QtTest/QtTest>

#include <memory>

#include "arch/arch_config.h"
#include "arch/arch_stats.h"
#include "latency/latency_features.h"
#include "latency/latency_predictor.h"
#include "latency/latency_sample.h"
#include "latency/latency_sampler.h"
#include "search/active_params_metric.h"
#include "project/project.h"
#include "search/constraint.h"
#include "search/cost_metric_factory.h"
#include "search/flops_metric.h"
#include "search/measured_latency_metric.h"
#include "search/predicted_latency_metric.h"
#include "search/total_params_metric.h"
#include "support/tiny_space.h"
#include "util/json_reader.h"

using namespace automoe;

class TestCostMetrics final : public QObject {
  Q_OBJECT

  SearchSpace m_space = test::tinySpace();

 private Q_SLOTS:
  void analyticMetricsAreArchStats() {
    const ArchConfig a = m_space.sample(uint64_t{3});
    const ArchStats s = computeArchStats(a, m_space.qkvDim, 50, 30, 30);
    std::vector<std::unique_ptr<CostMetric>> metrics;
    metrics.push_back(std::make_unique<FlopsMetric>(m_space.qkvDim, 50, 30, 30));
    metrics.push_back(std::make_unique<TotalParamsMetric>(m_space.qkvDim, 50));
    metrics.push_back(std::make_unique<ActiveParamsMetric>(m_space.qkvDim, 50));
    QCOMPARE(metrics[0]->value(a), s.flops);
    QCOMPARE(metrics[0]->unit(), std::string("FLOPs"));
    QCOMPARE(metrics[1]->value(a), double(s.totalParams));
    QCOMPARE(metrics[2]->value(a), s.activeParams);
    QCOMPARE(metrics[2]->name(), std::string("active_params"));
  }

  // Conditional MoE routing adds a dense FFN and a gate to MoE layers: a search's parameter and
  // FLOP budgets count them, as the exported model and `automoe arch stats` do.
  void analyticMetricsFollowTheModelOptions() {
    nlohmann::json j = test::tinyModelOptions().toJson();
    j["layer_routing"] = {{{"stack", "decoder"}, {"cmr", {{"enabled", true}}}}};
    const ModelOptions model = ModelOptions::fromJson(JsonReader(j, "test", "model"));
    const ArchConfig a = m_space.largest();  // MoE in every decoder layer
    const ArchStats plain = computeArchStats(a, m_space.qkvDim, 50, 30, 30);
    const ArchStats cmr = computeArchStats(a, m_space.qkvDim, 50, 30, 30, model.costOptions(a));
    QVERIFY(cmr.totalParams > plain.totalParams && cmr.flops > plain.flops && cmr.activeParams > plain.activeParams);
    QCOMPARE(FlopsMetric(m_space.qkvDim, 50, 30, 30, model).value(a), cmr.flops);
    QCOMPARE(TotalParamsMetric(m_space.qkvDim, 50, model).value(a), double(cmr.totalParams));
    QCOMPARE(ActiveParamsMetric(m_space.qkvDim, 50, model).value(a), cmr.activeParams);

    // The metrics a project's search builds.
    nlohmann::json pj = Project::load(AUTOMOE_SOURCE_DIR "/projects/demo/project.json").toJson();
    pj["model"]["cmr"] = {{"enabled", true}};
    const Project p = Project::fromJson(pj, "p.json");
    CostMetricFactory factory(p);
    const ArchConfig big = p.space.largest();
    const ArchStats s = computeArchStats(big, p.space.qkvDim, p.model.vocabSize, factory.profile().srcLen,
                                         factory.profile().tgtLen, p.model.costOptions(big));
    QVERIFY(s.totalParams > computeArchStats(big, p.space.qkvDim, p.model.vocabSize, 1, 1).totalParams);
    QCOMPARE(factory.make("total_params")->value(big), double(s.totalParams));
    QCOMPARE(factory.make("active_params")->value(big), s.activeParams);
    QCOMPARE(factory.make("flops")->value(big), s.flops);
  }

  void measuredLatencyIsCachedByGenes() {
    int calls = 0;
    MeasuredLatencyMetric m(
        [&](const ArchConfig& a) {
          ++calls;
          return 10.0 * a.decoder.numLayers();
        },
        m_space);
    const ArchConfig a = m_space.sample(uint64_t{1}), b = m_space.sample(uint64_t{2});
    QCOMPARE(m.value(a), 10.0 * a.decoder.numLayers());
    QCOMPARE(m.value(a), 10.0 * a.decoder.numLayers());
    ArchConfig same = a;  // equal genes: a copy
    QCOMPARE(m.value(same), 10.0 * a.decoder.numLayers());
    QCOMPARE(calls, 1);
    m.value(b);
    QCOMPARE(calls, 2);
    QCOMPARE(m.measurements(), 2);
    QCOMPARE(m.unit(), std::string("ms"));
  }

  void predictedLatencyIsThePredictors() {
    std::vector<LatencySample> samples;
    const LatencySampler sampler(m_space, 2);
    for (const auto& a : sampler.plan(20)) {
      LatencySample s;
      s.arch = a;
      s.genes = sampler.codec().encode(a);
      s.features = latencyFeatures(a, m_space, 5);
      const double ms = 2.0 + a.decoder.numLayers();
      s.measurement = LatencyMeasurement::fromRuns({0.5}, {ms});
      samples.push_back(s);
    }
    LatencyPredictorOptions o;
    o.steps = 200;
    auto predictor = std::make_shared<LatencyPredictor>(m_space, o, 5);
    predictor->fit(samples);
    PredictedLatencyMetric metric(predictor);
    for (const auto& s : samples) QCOMPARE(metric.value(s.arch), predictor->predictMs(s.arch));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             PredictedLatencyMetric(std::make_shared<LatencyPredictor>(m_space, o, 5)));
  }

  void constraintsCompareInTheMetricsUnit() {
    Constraint c{std::make_shared<FlopsMetric>(m_space.qkvDim, 50, 30, 30), 0};
    const ArchConfig small = m_space.smallest(), large = m_space.largest();
    c.limit = c.metric->value(small);  // raw FLOPs, not GFLOPs (AutoMoE's bug)
    QVERIFY(c.satisfied(small));
    QVERIFY(!c.satisfied(large));
    const Constraint::Check k = c.check(large);
    QCOMPARE(k.value, c.metric->value(large));
    QVERIFY(QString::fromStdString(c.describe(k.value)).contains("> "));
    QVERIFY(QString::fromStdString(c.describe(k.value)).startsWith("flops"));
    QVERIFY(QString::fromStdString(c.describe(c.limit)).contains("<="));
  }
};

QTEST_APPLESS_MAIN(TestCostMetrics)
#include "test_cost_metrics.moc"
