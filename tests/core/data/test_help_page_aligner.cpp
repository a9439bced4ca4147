// HelpPageAligner: paragraphs pair up by id whatever their order; unmatched, ambiguous, empty and
// placeholder-mismatched paragraphs are dropped and counted; sentences pair one to one when the
// counts agree.
#include <QtTest/QtTest>

#include "data/help_page.h"
#include "data/help_page_aligner.h"
#include "support/help_fixture.h"

using namespace automoe;
using automoe::testing::helpPageHtml;
using automoe::testing::helpParagraph;

namespace {

using Texts = std::vector<std::pair<std::string, std::string>>;

// The (English, translation) texts of aligned pairs, in order.
Texts texts(const std::vector<SentencePair>& pairs) {
  Texts out;
  for (const auto& p : pairs) out.emplace_back(p.src, p.tgt);
  return out;
}

}  // namespace

class TestHelpPageAligner final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void alignsByIdAndCountsTheRest() {
    const HelpPage en = HelpPage::parse(helpPageHtml(
        "en-US", {{"h1 id=\"hd_id1\"", "Turning Off AutoCorrect"},
                  helpParagraph("par_id2", "Press <span class=\"keycode\">Ctrl</span>+Z to undo."),
                  helpParagraph("par_id3", "Only English has this one."),
                  helpParagraph("par_id4", "Repeated."),
                  helpParagraph("par_id4", "Repeated differently."),
                  helpParagraph("par_id5", "<img src=\"x.png\"/>"),
                  helpParagraph("par_id6", "Runs %PRODUCTNAME now."),
                  helpParagraph("par_id7", "Same for %PRODUCTNAME everywhere.")}));
    const HelpPage de = HelpPage::parse(helpPageHtml(
        "de", {helpParagraph("par_id7", "Gleich für %PRODUCTNAME überall."),
               helpParagraph("par_id2", "Drücken Sie <span class=\"keycode\">Strg</span>+Z."),
               helpParagraph("par_id9", "Nur auf Deutsch."),
               {"h1 id=\"hd_id1\"", "AutoKorrektur abschalten"},
               helpParagraph("par_id4", "Wiederholt."),
               helpParagraph("par_id5", "Ein Bild."),
               helpParagraph("par_id6", "Startet LibreOffice jetzt.")}));
    HelpPageAligner aligner;
    std::vector<SentencePair> out;
    aligner.align(en, de, "libreoffice-help:text/swriter/guide/auto_off.html", out);
    QCOMPARE(texts(out),
             (Texts{{"Turning Off AutoCorrect", "AutoKorrektur abschalten"},
                    {"Press Ctrl+Z to undo.", "Drücken Sie Strg+Z."},
                    {"Same for %PRODUCTNAME everywhere.", "Gleich für %PRODUCTNAME überall."}}));
    QCOMPARE(out[0].origin,
             std::string("libreoffice-help:text/swriter/guide/auto_off.html#hd_id1"));
    for (const auto& p : out) QVERIFY(!p.prose);  // train only
    const HelpAlignStats& s = aligner.stats();
    QCOMPARE(s.pages, int64_t{1});
    QCOMPARE(s.paragraphs, int64_t{7});
    QCOMPARE(s.matched, int64_t{3});
    QCOMPARE(s.unmatched, int64_t{1});       // par_id3
    QCOMPARE(s.onlyTranslated, int64_t{1});  // par_id9
    QCOMPARE(s.ambiguous, int64_t{1});       // par_id4
    QCOMPARE(s.empty, int64_t{1});           // par_id5: only an image in English
    QCOMPARE(s.placeholder, int64_t{1});     // par_id6
    QCOMPARE(s.pairs, int64_t{3});
  }

  void sentencesPairWhenCountsAgree() {
    const HelpPage en = HelpPage::parse(helpPageHtml(
        "en-US", {helpParagraph("a", "Select the cells. Then choose Format - Cells."),
                  helpParagraph("b", "One sentence here. Another one there. And a third.")}));
    const HelpPage fr = HelpPage::parse(helpPageHtml(
        "fr",
        {helpParagraph("a", "Sélectionnez les cellules. Choisissez ensuite Format - Cellules."),
         helpParagraph("b", "Une phrase ici, une autre là. Et une troisième.")}));
    HelpPageAligner aligner;
    std::vector<SentencePair> out;
    aligner.align(en, fr, "libreoffice-help:p.html", out);
    QCOMPARE(texts(out),
             (Texts{{"Select the cells.", "Sélectionnez les cellules."},
                    {"Then choose Format - Cells.", "Choisissez ensuite Format - Cellules."},
                    {"One sentence here. Another one there. And a third.",
                     "Une phrase ici, une autre là. Et une troisième."}}));
    QCOMPARE(out[1].origin, std::string("libreoffice-help:p.html#a"));
    QCOMPARE(aligner.stats().sentencePairs, int64_t{2});
    QCOMPARE(aligner.stats().pairs, int64_t{3});
    aligner.countMissingPage();
    QCOMPARE(aligner.stats().missingPages, int64_t{1});
  }

  void countsPlaceholders() {
    QCOMPARE(HelpPageAligner::countPlaceholders("Plain text, 50% of it."), size_t{0});
    QCOMPARE(HelpPageAligner::countPlaceholders("%PRODUCTNAME and %PRDUCTNAME"), size_t{2});
    QCOMPARE(HelpPageAligner::countPlaceholders("$[officename] is here"), size_t{1});
    QCOMPARE(HelpPageAligner::countPlaceholders("Type <Enter> then </emph>"), size_t{2});
    QCOMPARE(HelpPageAligner::countPlaceholders("=A1<B1 and a < b and <>"), size_t{0});
  }
};

QTEST_APPLESS_MAIN(TestHelpPageAligner)
#include "test_help_page_aligner.moc"
