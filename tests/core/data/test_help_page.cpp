// HelpPage on HTML shaped like LibreOffice's help pages: which elements become paragraphs, markup
// stripping, entity unescaping, inline variants (switchinline), repeated ids.
#include <QtTest/QtTest>

#include "data/help_page.h"
#include "support/help_fixture.h"

using namespace automoe;
using automoe::testing::helpPageHtml;
using automoe::testing::helpParagraph;

class TestHelpPage final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void paragraphsAndHeadingsWithIdsInPageOrder() {
    const HelpPage page = HelpPage::parse(helpPageHtml(
        "en-US",
        {{"h1 id=\"hd_id1\" dir=\"auto\"", "\n<a name=\"x\"></a>Turning Off AutoCorrect\n"},
         helpParagraph("par_id2", "First paragraph."),
         {"p class=\"embedded\" dir=\"auto\"", "No id: not aligned."},
         {"p id=\"par_id3\" class=\"code\"", "Dim a As Integer"},
         {"p id=\"par_id4\" class=\"codeintable\"", "Sub Main"},
         {"h3 id=\"hd_id5\"", "Sub heading"},
         {"p id=\"par_id6\" class=\"paragraph\"", ""}}));
    const auto& ps = page.paragraphs();
    QCOMPARE(ps.size(), size_t{4});  // h1, p, h3, the empty p; not code, not the script's <p>
    QCOMPARE(ps[0].id, std::string("hd_id1"));
    QCOMPARE(ps[0].text, std::string("Turning Off AutoCorrect"));
    QCOMPARE(ps[1].text, std::string("First paragraph."));
    QCOMPARE(ps[2].id, std::string("hd_id5"));
    QCOMPARE(ps[3].text, std::string());
    QVERIFY(!page.find("par_js"));       // inside <script>
    QVERIFY(!page.find("par_comment"));  // inside a comment
    QVERIFY(!page.find("par_id3"));
    QCOMPARE(*page.find("par_id2"), std::string("First paragraph."));
  }

  void stripsMarkupAndUnescapesEntities() {
    const HelpPage page = HelpPage::parse(helpPageHtml(
        "en-US",
        {helpParagraph("par_id1",
                       "Choose <span class=\"menuitem\">Tools - </span><span class=\"menuitem\">"
                       "AutoCorrect <span class=\"emph\">Options</span></span>.<br/>Then "
                       "click <a target=\"_top\" href=\"x.html\">OK</a>&nbsp;&amp; type "
                       "&lt;Enter&gt; or &quot;caf&#233;&quot; &#x20AC;5 &unknown; 1 < 2"),
         helpParagraph("par_id2", "  Several\n   lines\tof   text  ")}));
    QCOMPARE(*page.find("par_id1"),
             std::string("Choose Tools - AutoCorrect Options. Then click OK & type <Enter> or "
                         "\"caf\xC3\xA9\" \xE2\x82\xAC"
                         "5 &unknown; 1 < 2"));
    QCOMPARE(*page.find("par_id2"), std::string("Several lines of text"));
    QCOMPARE(HelpPage::unescape("&#0; &#xD800; &#65;&apos;"), std::string("&#0; &#xD800; A'"));
  }

  void switchinlineKeepsTheDefaultCase() {
    const std::string shortcut =
        "Press <span id=\"swlnsys1\" class=\"switchinline\"><span hidden=\"true\" id=\"MAC1\" "
        "class=\"MAC\">Command\n</span><span hidden=\"true\" id=\"default1\">Ctrl</span></span>+Z.";
    const std::string module =
        "Choose <span class=\"menuitem\">Tools - </span><span id=\"swlnappl_2\" "
        "class=\"switchinline\"><span hidden=\"true\" id=\"WRITER2\" class=\"WRITER\"><span "
        "class=\"menuitem\">AutoCorrect - </span></span></span><span class=\"menuitem\">"
        "AutoCorrect Options</span>.";
    const HelpPage page = HelpPage::parse(helpPageHtml(
        "en-US", {helpParagraph("par_id1", shortcut), helpParagraph("par_id2", module)}));
    QCOMPARE(*page.find("par_id1"), std::string("Press Ctrl+Z."));
    QCOMPARE(*page.find("par_id2"), std::string("Choose Tools - AutoCorrect Options."));
  }

  void repeatedIdsKeepOneAndMarkConflicts() {
    const HelpPage page =
        HelpPage::parse(helpPageHtml("en-US", {helpParagraph("par_id1", "Embedded <b>twice</b>."),
                                               helpParagraph("par_id2", "First text."),
                                               helpParagraph("par_id1", "Embedded twice."),
                                               helpParagraph("par_id2", "Another text.")}));
    QCOMPARE(page.paragraphs().size(), size_t{2});
    QCOMPARE(*page.find("par_id1"), std::string("Embedded twice."));
    QVERIFY(!page.ambiguous().count("par_id1"));  // same text after stripping: fine
    QVERIFY(page.ambiguous().count("par_id2"));
    QCOMPARE(*page.find("par_id2"), std::string("First text."));
  }

  void nestedSameTagsAndTruncatedInput() {
    const HelpPage page =
        HelpPage::parse("<div><p id=\"a\">Outer <p>inner</p> tail</p><p id=\"b\">cut off <span");
    QCOMPARE(page.paragraphs().size(), size_t{1});  // "b" never closes
    QCOMPARE(*page.find("a"), std::string("Outer inner tail"));
  }
};

QTEST_APPLESS_MAIN(TestHelpPage)
#include "test_help_page.moc"
