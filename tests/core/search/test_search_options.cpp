// The project's "search" section: AutoMoE's defaults, every field parsed and written back, and
// bad values refused with the file and field named.
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

#include "project/project.h"
#include "util/config_error.h"
#include "util/json_reader.h"

using namespace automoe;

class TestSearchOptions final : public QObject {
  Q_OBJECT

  static SearchOptions parse(const nlohmann::json& j) { return SearchOptions::fromJson(JsonReader(j, "p.json", "search"), 7); }

  static QString error(const nlohmann::json& j) {
    try {
      parse(j);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return {};
  }

 private Q_SLOTS:
  void defaultsAreAutoMoEs() {
    const SearchOptions o = parse(nlohmann::json::object());
    QCOMPARE(o.population, 125);
    QCOMPARE(o.parents, 25);
    QCOMPARE(o.mutations, 50);
    QCOMPARE(o.crossovers, 50);
    QCOMPARE(o.mutationProb, 0.3);
    QCOMPARE(o.generations, 30);
    QCOMPARE(o.seed, uint64_t(7));  // the project's seed
    QCOMPARE(o.runDir, std::string("runs/search"));
    QVERIFY(o.constraints.empty());
    QVERIFY(!o.multiObjective());
  }

  void roundTrips() {
    const nlohmann::json j = {{"population", 10}, {"parents", 2}, {"mutations", 4}, {"crossovers", 4},
                              {"mutation_prob", 0.5}, {"generations", 3}, {"valid_batches", 2},
                              {"constraints", {{{"metric", "flops"}, {"limit", 1e9}}, {{"metric", "predicted_latency"}, {"limit", 200}}}},
                              {"objectives", {{"mode", "nsga2"}, {"cost", "active_params"}}},
                              {"precision", "bf16"}, {"max_sample_attempts", 50}, {"profile", "x"},
                              {"run_dir", "s"}, {"seed", 3}};
    const SearchOptions o = parse(j);
    QCOMPARE(o.constraints.size(), size_t(2));
    QCOMPARE(o.constraints[0].limit, 1e9);
    QCOMPARE(o.metricsUsed(), (std::vector<std::string>{"flops", "predicted_latency", "active_params"}));
    QCOMPARE(parse(o.toJson()).toJson(), o.toJson());
    QCOMPARE(o.toJson()["seed"].get<uint64_t>(), uint64_t(3));
  }

  void refusesBadValues() {
    QVERIFY(error({{"population", 10}}).contains("must equal parents + mutations + crossovers"));
    QVERIFY(error({{"mutation_prob", 1.5}}).contains("field 'search.mutation_prob'"));
    QVERIFY(error({{"constraints", {{{"metric", "latency"}, {"limit", 1}}}}}).contains("field 'search.constraints[0].metric'"));
    QVERIFY(error({{"constraints", {{{"metric", "flops"}, {"limit", 0}}}}}).contains("search.constraints[0].limit"));
    QVERIFY(error({{"constraints", 3}}).contains("field 'search.constraints'"));
    QVERIFY(error({{"objectives", {{"mode", "pareto"}}}}).contains("search.objectives.mode"));
    QVERIFY(error({{"generation", 3}}).contains("generation"));  // typo: unknown key
    QVERIFY(error({{"precision", "fp16"}}).contains("search.precision"));
  }

  void trialAndPopulationKeepTheSplit() {
    SearchOptions o;
    o.setPopulation(40);
    QCOMPARE(o.parents + o.mutations + o.crossovers, 40);
    QVERIFY(o.problems().empty());
    o.shrinkForTrial();
    QCOMPARE(o.population, 6);
    QCOMPARE(o.parents, 2);
    QVERIFY(o.generations <= 2);
    QCOMPARE(o.validBatches, 1);
    QVERIFY(o.problems().empty());
  }

  void projectHasTheSection() {
    const Project demo = Project::load(AUTOMOE_SOURCE_DIR "/projects/demo/project.json");
    QVERIFY(demo.search.problems().empty());
    QCOMPARE(Project::fromJson(demo.toJson(), "again").search.toJson(), demo.search.toJson());
    const Project wmt = Project::load(AUTOMOE_SOURCE_DIR "/projects/wmt14-en-de/project.json");
    QCOMPARE(wmt.search.population, 125);
  }
};

QTEST_GUILESS_MAIN(TestSearchOptions)
#include "test_search_options.moc"
