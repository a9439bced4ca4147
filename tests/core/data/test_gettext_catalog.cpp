// GettextCatalog: .po parsing (plurals, contexts, continuation lines), cleaning (accelerators,
// markup, entities), dropping placeholders and --help columns; a real .mo through msgunfmt.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "data/gettext_catalog.h"
#include "util/atomic_file.h"

using namespace automoe;

namespace {

const char* const kPo = R"(msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"X-Accelerator-Marker: _\n"

msgid "_Open the selected file now"
msgstr "Ausgewählte Datei jetzt ö_ffnen"

msgctxt "menu"
msgid "Save the <b>whole</b> document &amp; quit"
msgstr "Das <b>ganze</b> Dokument speichern &amp; beenden"

msgid "Copied %d files to %s"
msgstr "%d Dateien nach %s kopiert"

msgid "Hello {name}, welcome back"
msgstr "Hallo {name}, willkommen zurück"

msgid ""
"Usage: tool [OPTION]\n"
"  -v, --verbose    explain what is done\n"
msgstr ""
"Aufruf: tool [OPTION]\n"
"  -v, --verbose    erklären, was getan wird\n"

msgid "one file was removed from the list"
msgid_plural "many files were removed from the list"
msgstr[0] "eine Datei wurde aus der Liste entfernt"
msgstr[1] "viele Dateien wurden aus der Liste entfernt"

msgid "This line is "
"continued here"
msgstr "Diese Zeile wird "
"hier fortgesetzt"

msgid "Untranslated entry"
msgstr ""
)";

}  // namespace

class TestGettextCatalog final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void parsesAndCleans() {
    const GettextCatalog c = GettextCatalog::parsePo(kPo, "gettext:demo/demo");
    std::vector<std::pair<std::string, std::string>> got;
    for (const auto& p : c.pairs()) {
      got.emplace_back(p.src, p.tgt);
      QCOMPARE(p.origin, std::string("gettext:demo/demo"));
      QVERIFY(!p.prose);
    }
    const std::vector<std::pair<std::string, std::string>> want{
        {"Open the selected file now", "Ausgewählte Datei jetzt öffnen"},
        {"Save the whole document & quit", "Das ganze Dokument speichern & beenden"},
        {"one file was removed from the list", "eine Datei wurde aus der Liste entfernt"},
        {"This line is continued here", "Diese Zeile wird hier fortgesetzt"}};
    QCOMPARE(got, want);
    QCOMPARE(c.dropped().at("placeholder"), int64_t{2});
    QCOMPARE(c.dropped().at("column_formatted"), int64_t{1});
  }

  void detectsPlaceholders() {
    for (const char* s : {"%s", "%1$s", "%5.2f", "Qt %1 here", "gcc %qD", "%<#pragma%>", "%(name)s",
                          "{0}", "{}", "${HOME}", "$(pwd)"})
      QVERIFY2(GettextCatalog::hasPlaceholder(s), s);
    QVERIFY(GettextCatalog::hasPlaceholder("found for the URL '$name$'"));  // LibreOffice
    for (const char* s : {"100% done", "50% of it", "a %% sign", "plain text", "{ spaced }"})
      QVERIFY2(!GettextCatalog::hasPlaceholder(s), s);
  }

  void readsACompiledCatalog() {
    QTemporaryDir dir;
    const QString po = dir.filePath("demo.po"), mo = dir.filePath("demo.mo");
    writeFileAtomically(po.toStdString(), kPo);
    QProcess p;
    p.start("msgfmt", {"-o", mo, po});
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitCode(), 0);
    const GettextCatalog c = GettextCatalog::readMo(mo.toStdString(), "gettext:demo/demo");
    // A .mo keeps translated entries only; the cleaned pairs are the same as from the .po.
    QCOMPARE(c.pairs().size(), size_t{4});
    bool found = false;
    for (const auto& pair : c.pairs())
      found = found || (pair.src == "Open the selected file now" &&
                        pair.tgt == "Ausgewählte Datei jetzt öffnen");
    QVERIFY(found);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             GettextCatalog::readMo("/no/such/file.mo", "gettext:x/y"));
  }

  void convertsLegacyCharsetsAndUndeclaredAccelerators() {
    QTemporaryDir dir;
    const QString po = dir.filePath("latin1.po"), mo = dir.filePath("latin1.mo");
    // ISO-8859-1 bytes: "Vervollst\xe4ndigung", and an accelerator only the translation has.
    writeFileAtomically(po.toStdString(),
                        "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=ISO-8859-1\\n\"\n\n"
                        "msgid \"Name and completion of the definition\"\n"
                        "msgstr \"Name und Vervollst\xe4ndigung der Definition\"\n\n"
                        "msgid \"Evaluate up to the chosen level\"\n"
                        "msgstr \"Aus_werten bis zur gew\xe4hlten Ebene\"\n");
    QProcess p;
    p.start("msgfmt", {"-o", mo, po});
    QVERIFY(p.waitForFinished(30000));
    QCOMPARE(p.exitCode(), 0);
    const GettextCatalog c = GettextCatalog::readMo(mo.toStdString(), "gettext:vim/vim");
    QCOMPARE(c.pairs().size(), size_t{2});
    QCOMPARE(c.pairs()[0].tgt, std::string("Aus"
                                           "werten bis zur gewählten Ebene"));
    QCOMPARE(c.pairs()[1].tgt, std::string("Name und Vervollständigung der Definition"));
  }
};

QTEST_APPLESS_MAIN(TestGettextCatalog)
#include "test_gettext_catalog.moc"
