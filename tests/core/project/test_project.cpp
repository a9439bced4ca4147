// Project::load: a project is named by its file or by the folder that holds it.
#include <QtTest/QtTest>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include "project/project.h"
#include "util/config_error.h"

using namespace automoe;

class TestProject final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void aFolderStandsForItsProjectFile() {
    QTemporaryDir dir;
    const QString file = dir.filePath("project.json");
    QVERIFY(QFile::copy(AUTOMOE_SOURCE_DIR "/projects/demo/project.json", file));
    const Project byFile = Project::load(file.toStdString());
    const Project byFolder = Project::load(dir.path().toStdString());
    QCOMPARE(QString::fromStdString(byFolder.path), file);
    QCOMPARE(QString::fromStdString(byFolder.directory()), dir.path());
    QCOMPARE(QString::fromStdString(byFolder.resolvePath("data")), dir.filePath("data"));
    QVERIFY(byFolder.toJson() == byFile.toJson());
    // A trailing slash names the same folder.
    QCOMPARE(QString::fromStdString(Project::load(dir.path().toStdString() + "/").directory()),
             dir.path());
  }

  void aFolderWithoutAProjectFileIsRefused() {
    QTemporaryDir dir;
    try {
      Project::load(dir.path().toStdString());
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).startsWith(dir.path() + ": a folder without a project.json"), e.what());
    }
    // A folder named project.json inside is not a project file either.
    QVERIFY(QDir(dir.path()).mkdir("project.json"));
    QVERIFY_THROWS_EXCEPTION(ConfigError, Project::load(dir.path().toStdString()));
  }

  // Values the schema's types allow but the run cannot use: refused when the file is read, naming
  // the field, instead of failing (or training nonsense) hours later.
  void refusesUnusableValues_data() {
    QTest::addColumn<QString>("pointer");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("expected");
    QTest::newRow("negative min lr") << "/training/lr/min" << "-1" << "field 'training.lr.min': must be in [0, max = 0.002], got -1.0";
    QTest::newRow("min lr above max") << "/training/lr/min" << "0.01" << "field 'training.lr.min'";
    QTest::newRow("negative warm-up lr") << "/training/lr/warmup_init" << "-1e-7" << "field 'training.lr.warmup_init'";
    QTest::newRow("warm-up lr above max") << "/training/lr/warmup_init" << "0.5" << "field 'training.lr.warmup_init'";
    QTest::newRow("negative adam eps") << "/training/adam_eps" << "-1e-8" << "field 'training.adam_eps': must be >= 0";
    QTest::newRow("negative weight decay") << "/training/weight_decay" << "-0.01" << "field 'training.weight_decay': must be >= 0";
    QTest::newRow("retrain lr") << "/retrain/training/lr/min" << "-1" << "field 'retrain.training.lr.min'";
    QTest::newRow("negative router seed") << "/model/routers/competesmoe/seed" << "-1" << "field 'model.routers.competesmoe.seed': must be >= 0";
    QTest::newRow("unknown search profile") << "/search/profile" << "\"gpu\"" << "field 'search.profile': no hardware profile named \"gpu\" (known: cpu-1-thread";
  }

  void refusesUnusableValues() {
    QFETCH(QString, pointer);
    QFETCH(QString, value);
    QFETCH(QString, expected);
    nlohmann::json j = Project::load(AUTOMOE_SOURCE_DIR "/projects/demo/project.json").toJson();
    Project::fromJson(j, "p.json");  // the demo as written is valid
    j[nlohmann::json::json_pointer(pointer.toStdString())] = nlohmann::json::parse(value.toStdString());
    try {
      Project::fromJson(j, "p.json");
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).startsWith("p.json: " + expected), e.what());
    }
  }

  void aFileIsReadAsGiven() {
    QCOMPARE(QString::fromStdString(Project::fileAt("no/such/project.json")), QString("no/such/project.json"));
    QVERIFY_THROWS_EXCEPTION(ConfigError, Project::load("no/such/project.json"));
  }
};

QTEST_APPLESS_MAIN(TestProject)
#include "test_project.moc"
