// DDTP parsing and alignment on synthetic Translation files: paragraphs, bullets, sentence
// pairing, mismatched paragraph counts, records without English text, malformed input.
#include <QtTest/QtTest>

#include "data/ddtp_aligner.h"
#include "data/ddtp_index.h"
#include "data/sentence_splitter.h"
#include "support/ddtp_fixture.h"
#include "util/config_error.h"

using namespace automoe;
using automoe::testing::fakeTranslate;

class TestDdtpAligner final : public QObject {
  Q_OBJECT

  static std::vector<SentencePair> pairsOf(const std::vector<SentencePair>& all,
                                           const std::string& origin) {
    std::vector<SentencePair> out;
    for (const auto& p : all)
      if (p.origin == origin) out.push_back(p);
    return out;
  }

 private Q_SLOTS:
  void parsesRecordsParagraphsAndBullets() {
    const auto f = automoe::testing::makeDdtpFixture(0);
    const DdtpIndex en = DdtpIndex::parse(f.english, "en", "Translation-en");
    const DdtpDescription* d = en.find("00000000000000000000000000000001");
    QVERIFY(d);
    QCOMPARE(d->package, std::string("multi"));
    QCOMPARE(d->synopsis, std::string("multi paragraph demonstration package here"));
    QCOMPARE(d->paragraphs.size(), size_t{2});
    QCOMPARE(d->paragraphs[0].size(), size_t{1});
    QCOMPARE(d->paragraphs[0][0], std::string("First sentence of the first paragraph is here. "
                                              "Second sentence follows on a continuation line."));
    const std::vector<std::string> second{
        "Notable features are the following:", "first bullet item with enough words",
        "second bullet item that wraps onto a second line"};
    QCOMPARE(d->paragraphs[1], second);
    QVERIFY(en.find("0000000000000000000000000000ffff") == nullptr);
  }

  void alignsOneToOneAndCountsMismatches() {
    const auto f = automoe::testing::makeDdtpFixture(0);
    const DdtpIndex en = DdtpIndex::parse(f.english, "en", "Translation-en");
    const DdtpIndex de = DdtpIndex::parse(f.translated, "de", "Translation-de");
    DdtpAligner aligner;
    const auto pairs = aligner.align(en, de);

    const auto multi = pairsOf(pairs, "ddtp:multi");
    const std::vector<std::string> english{"multi paragraph demonstration package here",
                                           "First sentence of the first paragraph is here.",
                                           "Second sentence follows on a continuation line.",
                                           "Notable features are the following:",
                                           "first bullet item with enough words",
                                           "second bullet item that wraps onto a second line"};
    QCOMPARE(multi.size(), english.size());
    for (size_t i = 0; i < english.size(); ++i) {
      QCOMPARE(multi[i].src, english[i]);
      QCOMPARE(multi[i].tgt, fakeTranslate(english[i]));
      QVERIFY(multi[i].prose);
    }
    // Paragraph counts differ: the synopsis pairs, the body does not.
    const auto mismatch = pairsOf(pairs, "ddtp:mismatch");
    QCOMPARE(mismatch.size(), size_t{1});
    QCOMPARE(mismatch[0].src, std::string("paragraph count mismatch shows here"));
    QVERIFY(pairsOf(pairs, "ddtp:orphan").empty());

    const DdtpAlignStats& s = aligner.stats();
    QCOMPARE(s.descriptions, int64_t{10});  // multi, mismatch, untranslated, 6 boilerplate, orphan
    QCOMPARE(s.matched, int64_t{9});
    QCOMPARE(s.paragraphMismatch, int64_t{1});
    QCOMPARE(s.pairs, static_cast<int64_t>(pairs.size()));
    QCOMPARE(pairs.size(), size_t{6 + 1 + 1 + 12});
  }

  void keepsShortBlocksWholeWhenSentenceCountsDiffer() {
    const std::string en =
        "Package: p\nDescription-md5: aa\nDescription-en: short synopsis of p\n"
        " It reads files. It writes files too.\n";
    const std::string de =
        "Package: p\nDescription-md5: aa\nDescription-de: kurze Zusammenfassung\n"
        " Es liest und schreibt Dateien.\n";
    DdtpAligner aligner;
    const auto pairs =
        aligner.align(DdtpIndex::parse(en, "en", "en"), DdtpIndex::parse(de, "de", "de"));
    QCOMPARE(pairs.size(), size_t{2});
    QCOMPARE(pairs[1].src, std::string("It reads files. It writes files too."));
    QCOMPARE(pairs[1].tgt, std::string("Es liest und schreibt Dateien."));
    QCOMPARE(aligner.stats().wholeBlocks, int64_t{1});
  }

  void splitsSentencesConservatively() {
    const auto s = splitSentences(
        "It supports e.g. PNG and JPEG. Version 2.0 was released in 500 "
        "B.C. Nobody knows why! Was it J. Smith? maybe not.");
    const std::vector<std::string> want{"It supports e.g. PNG and JPEG.",
                                        "Version 2.0 was released in 500 B.C. Nobody knows why!",
                                        "Was it J. Smith? maybe not."};
    QCOMPARE(s, want);
    QCOMPARE(splitSentences("Es gibt z.B. Dateien. Und »Zitate« auch."),
             (std::vector<std::string>{"Es gibt z.B. Dateien.", "Und »Zitate« auch."}));
  }

  void malformedInputNamesTheLine() {
    try {
      DdtpIndex::parse("Package: x\nDescription-md5: 1\nDescription-de: a\nno colon here\n", "de",
                       "Translation-de");
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).startsWith("Translation-de:4: expected 'Field: value'"), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(ConfigError, DdtpIndex::parse("Package: x\n\n", "de", "empty"));
    QVERIFY_THROWS_EXCEPTION(ConfigError,
                             DdtpIndex::parse(" continuation first\n", "de", "Translation-de"));
  }
};

QTEST_APPLESS_MAIN(TestDdtpAligner)
#include "test_ddtp_aligner.moc"
