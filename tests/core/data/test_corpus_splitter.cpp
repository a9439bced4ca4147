// CorpusSplitter: exact sizes, no normalised English sentence of valid/test in train, boilerplate
// families stay in train, determinism per seed.
#include <QtTest/QtTest>
#include <set>

#include "data/corpus_splitter.h"
#include "data/sentence_splitter.h"
#include "data/text_normalizer.h"
#include "support/ddtp_fixture.h"
#include "util/config_error.h"

using namespace automoe;

class TestCorpusSplitter final : public QObject {
  Q_OBJECT

  static std::vector<SentencePair> corpus() {
    std::vector<SentencePair> pairs;
    uint64_t state = 7;
    for (int i = 0; i < 300; ++i) {
      const std::string s = automoe::testing::randomSentence(state, 6 + i % 6);
      pairs.push_back({s, automoe::testing::fakeTranslate(s), "ddtp:r" + std::to_string(i)});
    }
    for (const char* lib : {"alpha", "beta", "gamma", "delta", "epsilon"})
      pairs.push_back(
          {std::string("This package contains the development files for lib") + lib + ".",
           "Dieses Paket enthält die Entwicklungsdateien.", "ddtp:boiler"});
    // The same English with two translations, and a sentence that reappears inside a longer line.
    pairs.push_back(
        {"Shared sentence appears in two pairs.", "Erste Übersetzung hier.", "ddtp:dup"});
    pairs.push_back(
        {"Shared sentence appears in two pairs!", "Zweite Übersetzung hier.", "ddtp:dup"});
    pairs.push_back(
        {"Gettext user interface string here", "Oberflächentext hier", "gettext:x", false});
    return pairs;
  }

  static std::set<std::string> normalisedSentences(const std::vector<SentencePair>& pairs) {
    std::set<std::string> out;
    for (const auto& p : pairs) {
      out.insert(normaliseForMatch(p.src));
      for (const auto& s : splitSentences(p.src)) out.insert(normaliseForMatch(s));
    }
    return out;
  }

 private Q_SLOTS:
  void heldOutSetsAreDisjointFromTrain() {
    const auto pairs = corpus();
    const CorpusSplit s = CorpusSplitter(20, 30, 1).split(pairs);
    QCOMPARE(s.valid.size(), size_t{20});
    QCOMPARE(s.test.size(), size_t{30});
    QCOMPARE(s.train.size() + s.valid.size() + s.test.size() + size_t(s.trainDroppedOverlap),
             pairs.size());
    const auto train = normalisedSentences(s.train);
    for (const auto* held : {&s.valid, &s.test})
      for (const auto& sentence : normalisedSentences(*held))
        QVERIFY2(!train.count(sentence), sentence.c_str());
    const auto valid = normalisedSentences(s.valid);
    for (const auto& sentence : normalisedSentences(s.test)) QVERIFY(!valid.count(sentence));
    for (const auto* held : {&s.valid, &s.test})
      for (const auto& p : *held) {
        QVERIFY(p.prose);
        QVERIFY2(p.origin != "ddtp:boiler" && p.origin != "ddtp:dup", p.origin.c_str());
      }
  }

  void trainDropsLinesThatContainAHeldOutSentence() {
    auto pairs = corpus();
    const CorpusSplit first = CorpusSplitter(5, 5, 3).split(pairs);
    const std::string heldOut = first.test.front().src;
    // Not prose, so it cannot be held out itself: it must land in train, overlapping test.
    pairs.push_back({"Intro sentence of a block here. " + heldOut, "Einleitung. Rest.",
                     "ddtp:block",
                     /*prose=*/false});
    const CorpusSplit s = CorpusSplitter(5, 5, 3).split(pairs);
    QVERIFY(
        std::any_of(s.test.begin(), s.test.end(), [&](const auto& p) { return p.src == heldOut; }));
    for (const auto& p : s.train) QVERIFY(p.origin != "ddtp:block");
    QVERIFY(s.trainDroppedOverlap >= 1);
  }

  void deterministicPerSeed() {
    const auto a = CorpusSplitter(10, 10, 1).split(corpus());
    const auto b = CorpusSplitter(10, 10, 1).split(corpus());
    const auto c = CorpusSplitter(10, 10, 2).split(corpus());
    const auto srcs = [](const std::vector<SentencePair>& v) {
      std::vector<std::string> out;
      for (const auto& p : v) out.push_back(p.src);
      return out;
    };
    QCOMPARE(srcs(a.valid), srcs(b.valid));
    QCOMPARE(srcs(a.train), srcs(b.train));
    QVERIFY(srcs(a.valid) != srcs(c.valid));
  }

  void tooFewCandidatesIsAnError() {
    QVERIFY_THROWS_EXCEPTION(ConfigError, CorpusSplitter(200, 200, 1).split(corpus()));
  }
};

QTEST_APPLESS_MAIN(TestCorpusSplitter)
#include "test_corpus_splitter.moc"
