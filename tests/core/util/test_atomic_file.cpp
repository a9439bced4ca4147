// writeFileAtomically: complete replacement, no temporary left behind, clear errors.
#include <QtTest/QtTest>

#include <QDir>
#include <QTemporaryDir>

#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/file_write_error.h"

using namespace automoe;

class TestAtomicFile final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void replacesContentWithoutLeftovers() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("out.json").toStdString();
    writeFileAtomically(path, "first");
    writeFileAtomically(path, "second, longer content");
    QCOMPARE(QString::fromStdString(readTextFile(path)), QString("second, longer content"));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);
  }

  void reportsUnwritableLocations() {
    QVERIFY_THROWS_EXCEPTION(FileWriteError, writeFileAtomically("/nonexistent-dir/x/out.json", "x"));
    try {
      readTextFile("/nonexistent-dir/in.json");
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY(QString(e.what()).startsWith("/nonexistent-dir/in.json: cannot open file"));
    }
  }

  // A folder opens as a stream that reads nothing; it must not pass for an empty file.
  void refusesAFolder() {
    QTemporaryDir dir;
    try {
      readTextFile(dir.path().toStdString());
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QCOMPARE(QString(e.what()), dir.path() + ": is a folder, not a file");
    }
  }
};

QTEST_APPLESS_MAIN(TestAtomicFile)
#include "test_atomic_file.moc"
