// PairFilter: each rule drops what it should and counts it; normalisation helpers.
#include <QtTest/QtTest>

#include "data/pair_filter.h"
#include "data/text_normalizer.h"

using namespace automoe;

class TestPairFilter final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void dropsByRuleAndCounts() {
    PairFilter f(4);
    std::vector<SentencePair> in{
        {"This sentence is long enough.", "Dieser Satz ist lang genug.", "a"},
        {"Too short here", "Zu kurz hier", "b"},
        {"This one has a very short translation indeed.", "Ja.", "c"},
        {"The GNU Emacs editor for the terminal.", "The GNU Emacs editor for the Terminal.", "d"},
        {"Exactly the same source and target.", "Exactly the same source and target.", "e"},
        {"This sentence is  long enough.", "Dieser Satz ist lang genug.", "f"},  // duplicate
        {"This sentence is long enough.", "Dieser Satz ist ausreichend lang.", "g"},
        {"A sentence with a broken encoding.", "Ein Satz mit kaputter Kodierung \xe4.", "h"},
    };
    const auto kept = f.apply(in);
    QCOMPARE(kept.size(), size_t{2});
    QCOMPARE(kept[0].origin, std::string("a"));
    QCOMPARE(kept[1].origin, std::string("g"));
    QCOMPARE(f.dropped().at("short"), int64_t{1});
    QCOMPARE(f.dropped().at("length_ratio"), int64_t{1});
    QCOMPARE(f.dropped().at("untranslated"), int64_t{2});
    QCOMPARE(f.dropped().at("duplicate"), int64_t{1});
    QCOMPARE(f.dropped().at("encoding"), int64_t{1});
  }

  void technicalNamesAloneDoNotMeanUntranslated() {
    PairFilter f(4);
    QCOMPARE(f.check({"Python bindings for the GTK toolkit",
                      "Python-Anbindungen für das GTK-Toolkit", "x"}),
             std::string());
  }

  void normalisesForMatching() {
    QCOMPARE(normaliseForMatch("  This «Package», version 2.0 — ready!  "),
             std::string("this package version 2 0 ready"));
    QCOMPARE(collapseWhitespace(" a \t b\n c\u00a0d "), std::string("a b c d"));
    QCOMPARE(countWords("Hello , world -- 42 times"), size_t{4});
    QCOMPARE(utf8Length("Größe"), size_t{5});
    QVERIFY(isValidUtf8("Größe – «ok» 😀"));
    for (const char* bad : {"\xe4", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf5\x80\x80\x80"})
      QVERIFY2(!isValidUtf8(bad), bad);
  }
};

QTEST_APPLESS_MAIN(TestPairFilter)
#include "test_pair_filter.moc"
