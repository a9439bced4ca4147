// The evolutionary search on cheap, known fitness functions: constraints hold for every member,
// an impossible budget fails fast with a clear message, NSGA-II finds the brute-force Pareto front
// of a small space, runs are deterministic, the fitness cache evaluates each subnet once, and a
// resumed run evaluates nothing that the history already holds.
#include <QtTest/QtTest>

#include <QTemporaryDir>
#include <cmath>
#include <functional>
#include <set>

#include "arch/arch_config.h"
#include "search/evolutionary_search.h"
#include "search/flops_metric.h"
#include "search/hypervolume.h"
#include "search/search_history.h"
#include "search/total_params_metric.h"
#include "support/tiny_space.h"
#include "util/atomic_file.h"
#include "util/config_error.h"

using namespace automoe;

namespace {

class FunctionMetric final : public CostMetric {
 public:
  FunctionMetric(std::string name, std::function<double(const ArchConfig&)> f)
      : m_name(std::move(name)), m_f(std::move(f)) {}
  std::string name() const override { return m_name; }
  std::string unit() const override { return "u"; }
  double value(const ArchConfig& a) override {
    ++calls;
    return m_f(a);
  }
  int calls = 0;

 private:
  std::string m_name;
  std::function<double(const ArchConfig&)> m_f;
};

struct Recorder final : SearchObserver {
  std::vector<GenerationReport> generations;
  std::vector<SearchCandidate> candidates;
  void onCandidate(const SearchCandidate& c, bool) override { candidates.push_back(c); }
  void onGeneration(const GenerationReport& g, const SearchCandidate&) override { generations.push_back(g); }
};

// A small space (1,600 subnets) that can be enumerated.
SearchSpace miniSpace() {
  const nlohmann::json stack = {{"embed_dim", {16, 12}}, {"layers", {1, 2}}, {"ffn_dim", {32, 8}},
                                {"heads", {4}},          {"experts", {1, 2}}, {"top_k", {1}},
                                {"routers", {"softmax_topk"}}};
  nlohmann::json dec = stack;
  dec["ende_heads"] = {4};
  dec["arbitrary_ende_attn"] = {-1};
  return SearchSpace::fromJson({{"format_version", 1}, {"qkv_dim", 16}, {"fractional_experts", false},
                                {"encoder", stack}, {"decoder", dec}},
                               "mini");
}

SearchOptions smallOptions(uint64_t seed) {
  SearchOptions o;
  o.population = 20;
  o.parents = 4;
  o.mutations = 8;
  o.crossovers = 8;
  o.generations = 6;
  o.seed = seed;
  return o;
}

double params(const ArchConfig& a) { return TotalParamsMetric(16, 50).value(a); }

}  // namespace

class TestEvolutionarySearch final : public QObject {
  Q_OBJECT

  SearchSpace m_space = test::tinySpace();
  QTemporaryDir m_dir;

  // Fitness that prefers large subnets, so a cost limit binds.
  static double bigIsBetter(const ArchConfig& a) { return 100.0 / std::log(params(a)); }

  std::shared_ptr<CostMetric> flops() const { return std::make_shared<FlopsMetric>(16, 50, 30, 30); }

  double medianFlops() const {
    std::vector<double> v;
    FlopsMetric f(16, 50, 30, 30);
    for (uint64_t s = 0; s < 101; ++s) v.push_back(f.value(m_space.sample(s)));
    std::sort(v.begin(), v.end());
    return v[50];
  }

 private Q_SLOTS:
  void everyMemberMeetsTheConstraints() {
    const double limit = medianFlops();
    int calls = 0;
    EvolutionarySearch s(m_space, smallOptions(3), [&](const ArchConfig& a) { ++calls; return bigIsBetter(a); },
                         {{flops(), limit}});
    Recorder rec;
    StopToken stop;
    const SearchResult r = s.run(stop, rec);
    QCOMPARE(r.status, SearchResult::Status::Finished);
    QCOMPARE(r.generationsDone, 6);
    QCOMPARE(static_cast<int>(rec.generations.size()), 6);
    FlopsMetric check(16, 50, 30, 30);
    for (const auto& c : rec.candidates) {
      QVERIFY(check.value(c.arch) <= limit);
      QVERIFY(c.feasible);
      QCOMPARE(c.metric("flops"), check.value(c.arch));
      QVERIFY(c.arch.validate(m_space).empty());
    }
    for (const auto& g : rec.generations) {
      QCOMPARE(static_cast<int>(g.population.size()), 20);
      for (int id : g.population) QVERIFY(check.value(rec.candidates.at(id).arch) <= limit);
    }
    QVERIFY(check.value(r.best.arch) <= limit);
    // The best is the lowest fitness of everything evaluated, and the search improved on generation 0.
    for (const auto& c : rec.candidates) QVERIFY(r.best.fitness <= c.fitness);
    double best0 = 1e300;
    for (int id : rec.generations.front().population) best0 = std::min(best0, rec.candidates[id].fitness);
    QVERIFY(r.best.fitness < best0);
    // The fitness cache: one evaluation per distinct subnet.
    std::set<std::vector<int>> distinct;
    for (const auto& c : rec.candidates) distinct.insert(c.genes);
    QCOMPARE(static_cast<int>(distinct.size()), calls);
    QCOMPARE(r.evaluations, calls);
    QCOMPARE(r.candidates, calls);
    QVERIFY(calls < 20 * 6);  // parents are carried over, never evaluated again
  }

  void impossibleBudgetFailsWithMessage() {
    // Even the smallest subnet misses the limit: refused before any sampling.
    auto m = std::make_shared<FunctionMetric>("flops", [](const ArchConfig& a) { return FlopsMetric(16, 50, 30, 30).value(a); });
    EvolutionarySearch s1(m_space, smallOptions(1), bigIsBetter, {{m, 1.0}});
    Recorder rec;
    StopToken stop;
    try {
      s1.run(stop, rec);
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).contains("budget unsatisfiable") && QString(e.what()).contains("smallest") &&
                   QString(e.what()).contains("flops"),
               e.what());
    }
    QVERIFY(m->calls <= 2);
    // Only the smallest subnet passes: random draws never do, and the cap ends the search.
    const ArchConfig smallest = m_space.smallest();
    auto only = std::make_shared<FunctionMetric>("odd", [smallest](const ArchConfig& a) { return a == smallest ? 0.0 : 1.0; });
    SearchOptions o = smallOptions(1);
    o.maxSampleAttempts = 300;
    EvolutionarySearch s2(m_space, o, bigIsBetter, {{only, 0.5}});
    try {
      s2.run(stop, rec);
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).contains("budget unsatisfiable: after 300 attempts no subnet met: odd 1 u > 0.5 u"),
               e.what());
    }
    QVERIFY(only->calls <= 301 + 1);
    QVERIFY(rec.candidates.empty());
  }

  void nsga2FindsTheTrueFront() {
    const SearchSpace space = miniSpace();
    // Fitness: mismatches with a target architecture (distinct weights, unique optimum) minus an
    // asymmetric reward for width; cost: the two widths. Known front: the target at every width
    // combination that is not dominated.
    auto fitness = [](const ArchConfig& a) {
      double h = 1.0 * std::abs(a.encoder.numLayers() - 2) + 0.7 * std::abs(a.decoder.numLayers() - 1);
      const int encFfn[] = {32, 8}, encExp[] = {2, 1};
      for (int i = 0; i < a.encoder.numLayers(); ++i)
        h += 0.3 * (i + 1) * (a.encoder.layers[i].expertFfnDims[0] != encFfn[i]) +
             0.2 * (i + 1) * (a.encoder.layers[i].numExperts() != encExp[i]);
      for (const auto& l : a.decoder.layers) h += 0.45 * (l.expertFfnDims[0] != 8) + 0.55 * (l.numExperts() != 2);
      return h - 0.01 * a.encoder.embedDim - 0.02 * a.decoder.embedDim;
    };
    auto cost = std::make_shared<FunctionMetric>("width", [](const ArchConfig& a) {
      return double(a.encoder.embedDim + a.decoder.embedDim);
    });
    // Brute force over every gene vector.
    const GeneOperators ops(space);
    std::set<std::vector<int>> all;
    std::vector<int> g(ops.codec().size(), 0);
    while (true) {
      all.insert(ops.canonical(g));
      size_t k = 0;
      while (k < g.size() && ++g[k] == ops.codec().genes()[k].cardinality) g[k++] = 0;
      if (k == g.size()) break;
    }
    std::vector<Objectives> pts;
    for (const auto& genes : all) {
      const ArchConfig a = ops.codec().decode(genes);
      pts.push_back({fitness(a), double(a.encoder.embedDim + a.decoder.embedDim)});
    }
    std::set<Objectives> trueFront;
    const auto fronts = nonDominatedSort(pts);
    for (int i : fronts.front()) trueFront.insert(pts[i]);
    QCOMPARE(trueFront.size(), size_t(3));

    SearchOptions o = smallOptions(7);
    o.mode = "nsga2";
    o.costObjective = "width";
    o.generations = 15;
    EvolutionarySearch s(space, o, fitness, {});
    s.setCostObjective(cost);
    Recorder rec;
    StopToken stop;
    const SearchResult r = s.run(stop, rec);
    std::set<Objectives> found;
    for (const auto& c : r.front) {
      const Objectives x{c.fitness, c.metric("width")};
      found.insert(x);
      for (const auto& y : pts) QVERIFY(!dominates(y, x));  // nothing in the space beats a front member
      for (const auto& d : r.front) QVERIFY(!dominates({d.fitness, d.metric("width")}, x));
    }
    QCOMPARE(found, trueFront);
    // Hypervolume never decreases (the front is over everything evaluated) and ends at the front's.
    for (size_t i = 1; i < rec.generations.size(); ++i)
      QVERIFY(rec.generations[i].hypervolume >= rec.generations[i - 1].hypervolume);
    std::vector<Objectives> fp(found.begin(), found.end());
    QCOMPARE(r.hypervolume, hypervolume2d(fp, r.hypervolumeReference));
    QVERIFY(r.hypervolume > 0);
  }

  void sameSeedSameHistory() {
    const double limit = medianFlops();
    auto runTo = [&](const QString& name, uint64_t seed) {
      const std::string path = m_dir.filePath(name).toStdString();
      SearchOptions o = smallOptions(seed);
      SearchHistory h = SearchHistory::open(path, SearchHistory::makeHeader(seed, {}, o.toJson(), m_space.toJson(), {}), true);
      EvolutionarySearch s(m_space, o, bigIsBetter, {{flops(), limit}});
      s.setHistory(&h);
      Recorder rec;
      StopToken stop;
      s.run(stop, rec);
      std::string text = readTextFile(path);
      return text.substr(text.find('\n'));  // without the header (it holds the seed)
    };
    const std::string a = runTo("det_a.jsonl", 21), b = runTo("det_b.jsonl", 21), c = runTo("det_c.jsonl", 22);
    QCOMPARE(a, b);
    QVERIFY(a != c);
    const SearchHistory h = SearchHistory::load(m_dir.filePath("det_a.jsonl").toStdString());
    QCOMPARE(static_cast<int>(h.generations().size()), 6);
    QCOMPARE(SearchHistory::findCandidate(m_dir.filePath("det_a.jsonl").toStdString(), 3), h.candidates()[3].arch);
    QVERIFY_EXCEPTION_THROWN(SearchHistory::findCandidate(m_dir.filePath("det_a.jsonl").toStdString(), 100000),
                             ConfigError);

    // A header whose tags have other types (damaged, hand-edited): refused by name, not with the
    // JSON library's type error.
    const std::string text = readTextFile(m_dir.filePath("det_a.jsonl").toStdString());
    const size_t eol = text.find('\n');
    const nlohmann::json header = nlohmann::json::parse(text.substr(0, eol));
    for (const auto& [field, value] : std::vector<std::pair<const char*, nlohmann::json>>{
             {"kind", 7}, {"kind", nullptr}, {"format_version", "1"}, {"format_version", nlohmann::json::array()}}) {
      nlohmann::json edited = header;
      edited[field] = value;
      const std::string path = m_dir.filePath("edited.jsonl").toStdString();
      writeFileAtomically(path, edited.dump() + text.substr(eol));
      try {
        SearchHistory::load(path);
        QFAIL(field);
      } catch (const ConfigError& e) {
        QVERIFY2(QString(e.what()).contains("edited.jsonl:1: not a search history header"), e.what());
      }
    }
  }

  void resumeEvaluatesNothingStored() {
    const double limit = medianFlops();
    const std::string path = m_dir.filePath("resume.jsonl").toStdString();
    const SearchOptions o = smallOptions(5);
    const nlohmann::json header = SearchHistory::makeHeader(5, {}, o.toJson(), m_space.toJson(), {{"fitness", "toy"}});
    // Reference: one uninterrupted run.
    std::vector<std::vector<int>> reference;
    {
      EvolutionarySearch s(m_space, o, bigIsBetter, {{flops(), limit}});
      Recorder rec;
      StopToken stop;
      s.run(stop, rec);
      for (const auto& c : rec.candidates) reference.push_back(c.genes);
    }
    // Interrupted after 30 evaluations...
    StopToken stop;
    int calls = 0;
    {
      SearchHistory h = SearchHistory::open(path, header, true);
      EvolutionarySearch s(m_space, o, [&](const ArchConfig& a) {
        if (++calls == 30) stop.requestStop();
        return bigIsBetter(a);
      }, {{flops(), limit}});
      s.setHistory(&h);
      Recorder rec;
      QCOMPARE(s.run(stop, rec).status, SearchResult::Status::Stopped);
    }
    // ... and a cut-off last line from a crash.
    {
      std::string text = readTextFile(path);
      writeFileAtomically(path, text + "{\"kind\":\"candidate\",\"id\":30,\"gen");
    }
    // Resumed: evaluates only what the history lacks and ends where the uninterrupted run did.
    {  // the history is open for appending (and locked) in this block
      SearchHistory h = SearchHistory::open(path, header, false);
      try {  // so a second search on it is refused; reading it is not
        SearchHistory::open(path, header, false);
        QFAIL("expected ConfigError");
      } catch (const ConfigError& e) {
        QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(path + ": in use by another job of this process")), e.what());
      }
      QCOMPARE(SearchHistory::load(path).candidates().size(), size_t(30));
      QVERIFY(h.droppedTruncatedLine());
      QCOMPARE(static_cast<int>(h.candidates().size()), 30);
      stop.reset();
      std::set<std::vector<int>> stored;
      for (const auto& c : h.candidates()) stored.insert(c.genes);
      std::vector<std::vector<int>> evaluatedAgain;
      EvolutionarySearch s(m_space, o, [&](const ArchConfig& a) {
        evaluatedAgain.push_back(GeneCodec(m_space).encode(a));
        return bigIsBetter(a);
      }, {{flops(), limit}});
      s.setHistory(&h);
      Recorder rec;
      const SearchResult r = s.run(stop, rec);
      QCOMPARE(r.status, SearchResult::Status::Finished);
      for (const auto& g : evaluatedAgain) QVERIFY(!stored.count(g));
      QCOMPARE(static_cast<int>(evaluatedAgain.size()), static_cast<int>(reference.size()) - 30);
    }
    std::vector<std::vector<int>> all;
    const SearchHistory after = SearchHistory::load(path);
    for (const auto& c : after.candidates()) all.push_back(c.genes);
    QCOMPARE(all, reference);
    QCOMPARE(static_cast<int>(SearchHistory::load(path).generations().size()), 6);
    // A different configuration is refused, naming the field and --fresh; more generations are not.
    SearchOptions other = o;
    other.mutationProb = 0.5;
    try {
      SearchHistory::open(path, SearchHistory::makeHeader(5, {}, other.toJson(), m_space.toJson(), {{"fitness", "toy"}}), false);
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).contains("field 'search.mutation_prob': 0.3 in the history, 0.5 now") && QString(e.what()).contains("--fresh"), e.what());
    }
    other = o;
    other.generations = 8;
    SearchHistory longer = SearchHistory::open(path, SearchHistory::makeHeader(5, {}, other.toJson(), m_space.toJson(), {{"fitness", "toy"}}), false);
    int more = 0;
    EvolutionarySearch s8(m_space, other, [&](const ArchConfig& a) { ++more; return bigIsBetter(a); }, {{flops(), limit}});
    s8.setHistory(&longer);
    Recorder rec8;
    QCOMPARE(s8.run(stop, rec8).generationsDone, 8);
    QVERIFY(more > 0);
    int replayed = 0;
    for (const auto& g : rec8.generations) replayed += g.replayed;
    QCOMPARE(replayed, 6);
  }

  void geneOperators() {
    const GeneOperators ops(m_space);
    Rng rng(9);
    for (int i = 0; i < 50; ++i) {
      const auto a = ops.sample(rng), b = ops.sample(rng);
      QCOMPARE(ops.mutate(a, 0.0, rng), a);
      QCOMPARE(ops.crossover(a, a, rng), a);
      const auto c = ops.crossover(a, b, rng);
      QCOMPARE(ops.canonical(c), c);
      const auto ma = ops.activeMask(a), mb = ops.activeMask(b), mc = ops.activeMask(c);
      for (size_t k = 0; k < c.size(); ++k)  // a gene active in both parents comes from one of them
        if (ma[k] && mb[k] && mc[k]) QVERIFY(c[k] == a[k] || c[k] == b[k]);
      const auto m = ops.mutate(a, 1.0, rng);
      QCOMPARE(ops.canonical(m), m);
      QVERIFY(ops.codec().decode(m).validate(m_space).empty());
    }
    // With probability 1 nearly every gene is redrawn: mutants differ from their parent.
    int differ = 0;
    for (int i = 0; i < 20; ++i) {
      const auto a = ops.sample(rng);
      differ += ops.mutate(a, 1.0, rng) != a;
    }
    QVERIFY(differ >= 18);
  }
};

QTEST_GUILESS_MAIN(TestEvolutionarySearch)
#include "test_evolutionary_search.moc"
