// NSGA-II building blocks: non-dominated sort against a brute-force definition of Pareto rank,
// crowding distance and 2-D hypervolume against hand-computed values.
#include <QtTest/QtTest>

#include <limits>

#include "search/crowding_distance.h"
#include "search/hypervolume.h"
#include "search/non_dominated_sort.h"
#include "util/rng.h"

using namespace automoe;

namespace {

// Rank by definition: peel off the points that no remaining point dominates.
std::vector<int> bruteForceRanks(const std::vector<Objectives>& p) {
  std::vector<int> rank(p.size(), -1);
  size_t assigned = 0;
  for (int r = 0; assigned < p.size(); ++r) {
    std::vector<size_t> now;
    for (size_t i = 0; i < p.size(); ++i) {
      if (rank[i] >= 0) continue;
      bool dominated = false;
      for (size_t j = 0; j < p.size() && !dominated; ++j)
        if (rank[j] < 0 && j != i && p[j][0] <= p[i][0] && p[j][1] <= p[i][1] && p[j] != p[i]) dominated = true;
      if (!dominated) now.push_back(i);
    }
    for (size_t i : now) rank[i] = r;
    assigned += now.size();
  }
  return rank;
}

}  // namespace

class TestPareto final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void dominance() {
    QVERIFY(dominates({1, 2}, {2, 2}));
    QVERIFY(dominates({1, 1}, {2, 2}));
    QVERIFY(!dominates({1, 2}, {1, 2}));  // equal points do not dominate each other
    QVERIFY(!dominates({1, 3}, {2, 2}));
  }

  void ranksMatchBruteForce() {
    Rng rng(11);
    for (int trial = 0; trial < 30; ++trial) {
      std::vector<Objectives> p;
      const int n = 1 + static_cast<int>(rng.uniformIndex(60));
      for (int i = 0; i < n; ++i)  // a coarse grid: many ties and duplicates
        p.push_back({double(rng.uniformIndex(8)), double(rng.uniformIndex(8))});
      QCOMPARE(paretoRanks(p), bruteForceRanks(p));
      const auto fronts = nonDominatedSort(p);
      size_t total = 0;
      for (const auto& f : fronts) {
        QVERIFY(!f.empty());
        total += f.size();
      }
      QCOMPARE(total, p.size());
    }
  }

  void crowdingDistanceByHand() {
    const std::vector<Objectives> p = {{0, 4}, {1, 2}, {3, 1}, {4, 0}};
    const auto d = crowdingDistance(p, {0, 1, 2, 3});
    const double inf = std::numeric_limits<double>::infinity();
    QCOMPARE(d[0], inf);
    QCOMPARE(d[3], inf);
    QCOMPARE(d[1], 0.75 + 0.75);  // (3 - 0) / 4 + (4 - 1) / 4
    QCOMPARE(d[2], 0.75 + 0.5);   // (4 - 1) / 4 + (2 - 0) / 4
    QCOMPARE(crowdingDistance(p, {1, 2}), std::vector<double>({inf, inf}));
  }

  void hypervolumeByHand() {
    // Staircase (1,3) (2,2) (3,1) under (4,4): 3x1 + 2x1 + 1x1.
    QCOMPARE(hypervolume2d({{1, 3}, {2, 2}, {3, 1}}, {4, 4}), 6.0);
    // A dominated point, a duplicate and points beyond the reference add nothing.
    QCOMPARE(hypervolume2d({{3, 3}, {1, 3}, {2, 2}, {2, 2}, {3, 1}, {5, 0}, {0, 4}}, {4, 4}), 6.0);
    QCOMPARE(hypervolume2d({{0, 0}}, {1, 2}), 2.0);
    QCOMPARE(hypervolume2d({{0.5, 1.5}, {1.5, 0.5}}, {2, 2}), 0.75 + 0.75 - 0.25);  // two rectangles minus their overlap
    QCOMPARE(hypervolume2d({}, {1, 1}), 0.0);
  }
};

QTEST_GUILESS_MAIN(TestPareto)
#include "test_pareto.moc"
