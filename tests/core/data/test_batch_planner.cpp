// BatchPlanner: every sentence exactly once per epoch, every batch within max_tokens, long
// sentences skipped and counted, same seed same plan, other epochs other orders.
#include <QtTest/QtTest>
#include <algorithm>
#include <numeric>

#include "data/batch_planner.h"
#include "util/rng.h"

using namespace automoe;

class TestBatchPlanner final : public QObject {
  Q_OBJECT

  static std::vector<int64_t> lengths() {
    Rng rng(5);
    std::vector<int64_t> out;
    for (int i = 0; i < 1000; ++i) out.push_back(2 + static_cast<int64_t>(rng.uniformIndex(60)));
    out[10] = 300;  // longer than max_positions
    out[20] = 600;  // longer than max_tokens
    return out;
  }

  static void checkPlan(const std::vector<BatchIndices>& plan, const std::vector<int64_t>& len,
                        int64_t maxTokens) {
    std::vector<int> seen(len.size(), 0);
    for (const auto& b : plan) {
      QVERIFY(!b.empty());
      int64_t longest = 0;
      for (size_t i : b) longest = std::max(longest, len[i]), ++seen[i];
      QVERIFY(longest * static_cast<int64_t>(b.size()) <= maxTokens);
    }
    for (size_t i = 0; i < len.size(); ++i) QCOMPARE(seen[i], (i == 10 || i == 20) ? 0 : 1);
  }

 private Q_SLOTS:
  void coversEverySentenceOnceWithinBudget() {
    const auto len = lengths();
    const BatchPlanner p(len, 512, 256);
    QCOMPARE(p.skipped(), int64_t{2});
    QCOMPARE(p.planned(), size_t{998});
    checkPlan(p.epoch(1, 0), len, 512);
    checkPlan(p.epoch(1, 7), len, 512);
    checkPlan(p.fixed(), len, 512);
  }

  void batchesArePackedByLength() {
    const auto len = lengths();
    const auto plan = BatchPlanner(len, 512, 256).fixed();
    for (size_t b = 1; b < plan.size(); ++b)  // sorted, not shuffled
      QVERIFY(len[plan[b - 1].back()] <= len[plan[b].front()]);
    for (size_t b = 0; b + 1 < plan.size(); ++b) {  // full: the next sentence would not fit
      int64_t longest = 0;
      for (size_t i : plan[b]) longest = std::max(longest, len[i]);
      const int64_t next = std::max(longest, len[plan[b + 1].front()]);
      QVERIFY(next * static_cast<int64_t>(plan[b].size() + 1) > 512);
    }
  }

  void seededAndPortable() {
    const auto len = lengths();
    const BatchPlanner p(len, 512, 256);
    QCOMPARE(p.epoch(3, 1), p.epoch(3, 1));
    QVERIFY(p.epoch(3, 1) != p.epoch(3, 2));
    QVERIFY(p.epoch(3, 1) != p.epoch(4, 1));
    QCOMPARE(p.fixed(), p.fixed());
    // Shuffled order, not length order.
    const auto plan = p.epoch(3, 1);
    bool unsorted = false;
    for (size_t b = 1; b < plan.size(); ++b)
      unsorted = unsorted || len[plan[b - 1][0]] > len[plan[b][0]];
    QVERIFY(unsorted);
  }

  void singleLongSentenceStillFits() {
    const BatchPlanner p({10, 10, 10}, 10, 100);
    QCOMPARE(p.fixed().size(), size_t{3});
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, BatchPlanner({1}, 0, 10));
  }
};

QTEST_APPLESS_MAIN(TestBatchPlanner)
#include "test_batch_planner.moc"
