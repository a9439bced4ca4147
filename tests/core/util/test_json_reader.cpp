// JSON errors as users read them: parse errors name the source and byte, quote little of the
// input and never print bytes a terminal cannot show; typed access names the field.
#include <QtTest/QtTest>

#include <string>

#include "util/config_error.h"
#include "util/json_reader.h"

using namespace automoe;

namespace {

// The message of the ConfigError parseJsonText throws for `text` ("" when it parses).
std::string parseMessage(const std::string& text) {
  try {
    parseJsonText(text, "f.json");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

bool allPrintable(const std::string& s) {
  for (const unsigned char c : s)
    if (c < 0x20 || c == 0x7F || c >= 0x80) return false;
  return true;
}

}  // namespace

class TestJsonReader final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void printableTextKeepsUtf8AndEscapesTheRest_data() {
    QTest::addColumn<QByteArray>("in");
    QTest::addColumn<QByteArray>("out");
    QTest::newRow("ascii") << QByteArray("plain text") << QByteArray("plain text");
    QTest::newRow("utf-8") << QByteArray("Gr\xc3\xb6\xc3\x9f" "e \xe2\x82\xac \xf0\x9f\x99\x82")
                           << QByteArray("Gr\xc3\xb6\xc3\x9f" "e \xe2\x82\xac \xf0\x9f\x99\x82");
    QTest::newRow("control") << QByteArray("a\nb\tc\x7f", 6) << QByteArray("a\\x0ab\\x09c\\x7f");
    QTest::newRow("nul") << QByteArray("a\0b", 3) << QByteArray("a\\x00b");
    QTest::newRow("lone continuation") << QByteArray("x\x80y") << QByteArray("x\\x80y");
    QTest::newRow("cut sequence") << QByteArray("x\xe2\x82") << QByteArray("x\\xe2\\x82");
    QTest::newRow("overlong") << QByteArray("\xc0\xaf" "\xe0\x80\xaf") << QByteArray("\\xc0\\xaf\\xe0\\x80\\xaf");
    QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << QByteArray("\\xed\\xa0\\x80");
    QTest::newRow("above U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << QByteArray("\\xf4\\x90\\x80\\x80");
  }
  void printableTextKeepsUtf8AndEscapesTheRest() {
    QFETCH(QByteArray, in);
    QFETCH(QByteArray, out);
    QCOMPARE(QByteArray::fromStdString(printableText(in.toStdString())), out);
  }

  // A corrupt file's bytes inside a string: the library quotes everything it read of that string.
  void parseErrorsQuoteLittleAndOnlyPrintableText() {
    const std::string longString = "{\"key\": \"" + std::string(5000, 'a') + "\xdd\x01 tail\"}";
    const std::string m = parseMessage(longString);
    QVERIFY2(m.rfind("f.json: invalid JSON at byte ", 0) == 0, m.c_str());
    QVERIFY2(m.find("[json.exception") == std::string::npos, m.c_str());
    QVERIFY2(m.find("last read: '...") != std::string::npos, m.c_str());
    QVERIFY2(m.size() < 300, m.c_str());
    QVERIFY2(m.find("\\xdd") != std::string::npos, m.c_str());
    QVERIFY2(allPrintable(m), m.c_str());
    // A short error keeps its whole quote and the library's words.
    const std::string s = parseMessage("{\"a\": tru}");
    QVERIFY2(s.find("syntax error") != std::string::npos && s.find("last read: '\"a\": tru}'") != std::string::npos, s.c_str());
    QVERIFY2(s.find("at byte 10") != std::string::npos, s.c_str());
    QCOMPARE(parseMessage("{\"a\": [1, 2]}"), std::string());
  }

  void valueOrFallsBackOnAbsentOrOtherTypes() {
    const nlohmann::json j = nlohmann::json::parse(R"({"s": "text", "i": 3, "f": 2.5, "b": true, "o": {"k": 1}})");
    QCOMPARE(valueOr(j, "s", ""), std::string("text"));
    QCOMPARE(valueOr(j, "i", int64_t{0}), int64_t{3});
    QCOMPARE(valueOr(j, "f", 0.0), 2.5);
    QCOMPARE(valueOr(j, "i", 0.0), 3.0);  // an integer is a number
    QCOMPARE(valueOr(j, "b", false), true);
    QCOMPARE(valueOr(j, "o", nlohmann::json()), j["o"]);
    // Other types, where json::value throws: the fallback.
    QCOMPARE(valueOr(j, "i", "none"), std::string("none"));
    QCOMPARE(valueOr(j, "s", int64_t{-1}), int64_t{-1});
    QCOMPARE(valueOr(j, "f", int64_t{-1}), int64_t{-1});  // not silently truncated
    QCOMPARE(valueOr(j, "i", false), false);
    QCOMPARE(valueOr(j, "o", std::string("none")), std::string("none"));
    QCOMPARE(valueOr(j, "missing", int64_t{7}), int64_t{7});
    for (const char* text : {"[1, 2]", "5", "null", "\"s\""})
      QCOMPARE(valueOr(nlohmann::json::parse(text), "s", "none"), std::string("none"));
    QVERIFY_THROWS_EXCEPTION(nlohmann::json::exception, (void)j.value("s", int64_t{0}));  // what it replaces
  }

  void typedAccessNamesTheField() {
    const nlohmann::json j = nlohmann::json::parse(R"({"outer": {"list": [1, "two"]}})");
    const JsonReader r(j, "p.json");
    try {
      r.child("outer").getIntList("list");
      QFAIL("a string in an integer list was accepted");
    } catch (const ConfigError& e) {
      QVERIFY2(std::string(e.what()).find("p.json: field 'outer.list") != std::string::npos, e.what());
    }
  }
};

QTEST_APPLESS_MAIN(TestJsonReader)
#include "test_json_reader.moc"
