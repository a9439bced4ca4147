// Corpus BLEU against values counted by hand (in the comments), and sacreBLEU's 13a tokenizer on
// hand-worked cases. When python3 has sacrebleu installed, an extra test compares with it.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <cmath>

#include "eval/bleu.h"
#include "eval/tokenizer_13a.h"
#include "util/atomic_file.h"

using namespace automoe;

namespace {

bool near(double a, double b, double tol = 1e-9) { return std::abs(a - b) <= tol; }

}  // namespace

class TestBleu final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void tokenizes13a_data() {
    QTest::addColumn<QString>("in");
    QTest::addColumn<QString>("out");
    // period/comma split off unless both neighbours are digits
    QTest::newRow("comma-period") << "Hello, world." << "Hello , world .";
    QTest::newRow("numbers") << "It costs 1,000.50 dollars." << "It costs 1,000.50 dollars .";
    QTest::newRow("year-end") << "in 2014." << "in 2014 .";  // '.' followed by the pad space
    QTest::newRow("abbrev") << "e.g. this" << "e . g . this";
    // dash split only after a digit; other dashes stay inside words
    QTest::newRow("digit-dash") << "pages 10-20 and well-known" << "pages 10 - 20 and well-known";
    QTest::newRow("dash-digit") << "a -5 b-3" << "a -5 b-3";  // '-' not preceded by a digit
    // ASCII punctuation of the first class, but not the apostrophe
    QTest::newRow("punct") << "(a) and/or $5 50% don't [x]?" << "( a ) and / or $ 5 50 % don't [ x ] ?";
    // entity unescaping, then '&' '"' '<' '>' are punctuation of the first class
    QTest::newRow("amp") << "AT&amp;T" << "AT & T";
    QTest::newRow("quot") << "&quot;hi&quot;" << "\" hi \"";
    QTest::newRow("lt-gt") << "&lt;b&gt;" << "< b >";
    QTest::newRow("amp-once") << "&amp;quot;" << "& quot ;";  // &quot; is replaced before &amp;
    QTest::newRow("skipped") << "a <skipped> b" << "a b";
    QTest::newRow("spaces") << "  a \t b  \n" << "a b";
    QTest::newRow("nbsp") << "a\xc2\xa0" "b\xe3\x80\x80" "c" << "a b c";  // U+00A0, U+3000 split
    QTest::newRow("umlaut-period") << "Grüße." << "Grüße .";
    QTest::newRow("period-umlaut") << "a.ü" << "a . ü";
    QTest::newRow("empty") << "" << "";
  }

  void tokenizes13a() {
    QFETCH(QString, in);
    QFETCH(QString, out);
    QCOMPARE(QString::fromStdString(Tokenizer13a::tokenize(in.toStdString())), out);
  }

  void handCountedSentence() {
    // hyp: the cat sat on the mat   ref: the cat is on the mat   (6 tokens each, BP = 1)
    // 1-grams: the x2 (ref has 2), cat, on, mat match, sat not: 5/6
    // 2-grams: "the cat", "on the", "the mat" match of 5: 3/5
    // 3-grams: "on the mat" of 4: 1/4
    // 4-grams: 0 of 3 -> exp smoothing: 100 / (2 * 3) = 16.667
    // BLEU = (83.333 * 60 * 25 * 16.667)^(1/4) = 2083333.3^(1/4) = 37.99
    const BleuScore s = Bleu::corpus({"the cat sat on the mat"}, {"the cat is on the mat"});
    QCOMPARE(s.correct, (std::array<int64_t, 4>{5, 3, 1, 0}));
    QCOMPARE(s.total, (std::array<int64_t, 4>{6, 5, 4, 3}));
    QVERIFY(near(s.precisions[0], 500.0 / 6));
    QVERIFY(near(s.precisions[1], 60));
    QVERIFY(near(s.precisions[2], 25));
    QVERIFY(near(s.precisions[3], 100.0 / 6));
    QCOMPARE(s.bp, 1.0);
    QVERIFY(near(s.score, std::pow(500.0 / 6 * 60 * 25 * 100.0 / 6, 0.25)));
    QVERIFY(near(s.score, 37.99, 0.005));
    QCOMPARE(s.sysLen, int64_t{6});
    QCOMPARE(s.refLen, int64_t{6});
    QCOMPARE(QString::fromStdString(s.format()),
             QString("BLEU = 37.99 83.3/60.0/25.0/16.7 (BP = 1.000 ratio = 1.000 hyp_len = 6 ref_len = 6)"));
  }

  void brevityPenaltyOverACorpus() {
    // s1: a b c d | a b c d e f ; s2: x y | x y z
    // every hypothesis n-gram matches: 1-grams 4+2 = 6/6, 2-grams 3+1 = 4/4, 3-grams 2+0 = 2/2,
    // 4-grams 1/1 -> all precisions 100. sys_len 6 < ref_len 9: BP = exp(1 - 9/6) = exp(-0.5)
    // BLEU = 100 * 0.60653 = 60.65
    const BleuScore s = Bleu::corpus({"a b c d", "x y"}, {"a b c d e f", "x y z"});
    QCOMPARE(s.total, (std::array<int64_t, 4>{6, 4, 2, 1}));
    QCOMPARE(s.correct, s.total);
    QVERIFY(near(s.bp, std::exp(-0.5)));
    QVERIFY(near(s.score, 100 * std::exp(-0.5)));
    QVERIFY(near(s.score, 60.65, 0.005));
    QCOMPARE(s.sysLen, int64_t{6});
    QCOMPARE(s.refLen, int64_t{9});
  }

  void clippedCountsAndRepeatedExpSmoothing() {
    // hyp: the the the the   ref: the cat
    // 1-grams: "the" x4, clipped to the reference's 1: 1/4 = 25
    // 2-grams: "the the" x3, none in ref: first zero order -> 100 / (2 * 3) = 16.667
    // 3-grams: x2, none -> second zero order -> 100 / (4 * 2) = 12.5
    // 4-grams: x1, none -> third zero order -> 100 / (8 * 1) = 12.5
    // sys 4 >= ref 2: BP 1. BLEU = (25 * 16.667 * 12.5 * 12.5)^(1/4) = 65104.2^(1/4) = 15.97
    const BleuScore s = Bleu::corpus({"the the the the"}, {"the cat"});
    QCOMPARE(s.correct, (std::array<int64_t, 4>{1, 0, 0, 0}));
    QVERIFY(near(s.precisions[0], 25));
    QVERIFY(near(s.precisions[1], 100.0 / 6));
    QVERIFY(near(s.precisions[2], 12.5));
    QVERIFY(near(s.precisions[3], 12.5));
    QCOMPARE(s.bp, 1.0);
    QVERIFY(near(s.score, 15.97, 0.005));
  }

  void noMatchIsZero() {
    // nothing matches: sacreBLEU returns 0 with all precisions 0 but still reports BP
    // (sys 1 < ref 2: exp(1 - 2) = 0.368)
    const BleuScore s = Bleu::corpus({"x"}, {"a b"});
    QCOMPARE(s.score, 0.0);
    QCOMPARE(s.precisions, (std::array<double, 4>{0, 0, 0, 0}));
    QVERIFY(near(s.bp, std::exp(-1.0)));
  }

  void missingOrderEndsThePrecisions() {
    // hyp = ref = "a b": 1-grams 2/2, 2-grams 1/1, no 3-grams at all: the loop stops, precisions
    // 3 and 4 stay 0 and log(0) is -9999999999 -> BLEU 0 (sacreBLEU's corpus of short segments)
    const BleuScore s = Bleu::corpus({"a b"}, {"a b"});
    QCOMPARE(s.precisions, (std::array<double, 4>{100, 100, 0, 0}));
    QCOMPARE(s.score, 0.0);
  }

  void tokenisationFeedsTheCounts() {
    // "Hello, world." -> Hello , world .  (4 tokens); ref "Hello world." -> Hello world . (3)
    // 1-grams: Hello, world, . match: 3/4; 2-grams: "world ." matches of 3: 1/3
    // 3-grams: 0/2 -> 100/(2*2) = 25; 4-grams: 0/1 -> 100/(4*1) = 25
    // BLEU = (75 * 33.333 * 25 * 25)^(1/4) = 1562500^(1/4) = 35.36
    const BleuScore s = Bleu::corpus({"Hello, world."}, {"Hello world."});
    QCOMPARE(s.correct, (std::array<int64_t, 4>{3, 1, 0, 0}));
    QCOMPARE(s.total, (std::array<int64_t, 4>{4, 3, 2, 1}));
    QVERIFY(near(s.score, 35.355, 0.001));
    QCOMPARE(s.refLen, int64_t{3});
  }

  void signatureAndErrors() {
    QVERIFY(Bleu::signature().rfind("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:", 0) == 0);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Bleu::corpus({"a"}, {}));
  }

  // sacreBLEU itself, when python3 has it (it is not a dependency).
  void matchesSacrebleuWhenInstalled() {
    QProcess probe;
    probe.start("python3", {"-c", "import sacrebleu"});
    if (!probe.waitForFinished(30000) || probe.exitCode() != 0)
      QSKIP("python3 with sacrebleu is not available");
    const std::vector<std::string> hyps = {
        "The cat, sat on the mat.", "AT&amp;T paid $1,000.50 in 2014-2015!", "It's a well-known fact.",
        "Grüße aus Köln", "x", "the the the the"};
    const std::vector<std::string> refs = {
        "The cat sat on the mat.", "AT&T paid $1,000.50 in 2014 - 2015.", "It is a well-known fact",
        "Grüße aus Köln.", "a b", "the cat"};
    QTemporaryDir dir;
    std::string h, r;
    for (size_t i = 0; i < hyps.size(); ++i) h += hyps[i] + "\n", r += refs[i] + "\n";
    writeFileAtomically(dir.filePath("h").toStdString(), h);
    writeFileAtomically(dir.filePath("r").toStdString(), r);
    QProcess py;
    py.start("python3", {"-c",
                         "import sys,sacrebleu\n"
                         "h=open(sys.argv[1],encoding='utf-8').read().split('\\n')[:-1]\n"
                         "r=open(sys.argv[2],encoding='utf-8').read().split('\\n')[:-1]\n"
                         "b=sacrebleu.corpus_bleu(h,[r])\n"
                         "print(repr(b.score), b.counts, b.totals, b.sys_len, b.ref_len)\n",
                         dir.filePath("h"), dir.filePath("r")});
    QVERIFY(py.waitForFinished(60000));
    QCOMPARE(py.exitCode(), 0);
    const QStringList out = QString::fromUtf8(py.readAllStandardOutput()).trimmed().split(' ');
    const BleuScore s = Bleu::corpus(hyps, refs);
    QVERIFY(near(s.score, out[0].toDouble(), 1e-9));
    QCOMPARE(QString("[%1, %2, %3, %4]").arg(s.correct[0]).arg(s.correct[1]).arg(s.correct[2]).arg(s.correct[3]),
             out.mid(1, 4).join(' '));
  }
};

QTEST_APPLESS_MAIN(TestBleu)
#include "test_bleu.moc"
