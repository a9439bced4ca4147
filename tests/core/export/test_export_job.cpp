// The export job the CLI and the GUI share: the searched model's folder sits under the search's
// run folder; without a trained supernet the export is refused naming the checkpoint and the
// command that makes it, and a subnet outside the space is refused before anything is loaded.
// (Exports themselves: test_subnet_exporter, and end to end app_export_cli and the Model tab.)
#include <QtTest/QtTest>

#include <QTemporaryDir>

#include <filesystem>

#include "export/export_job.h"
#include "support/tiny_project.h"
#include "util/config_error.h"

using namespace automoe;

class TestExportJob final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void searchModelDirIsUnderTheSearchRun() {
    QTemporaryDir dir;
    Project p = test::tinyProjectIn(dir.path().toStdString(), 1);
    p.search.runDir = "runs/my-search";
    QCOMPARE(searchModelDir(p), p.resolvePath("runs/my-search") + "/model");
  }

  void refusedWithoutASupernet() {
    QTemporaryDir dir;
    const Project p = test::tinyProjectIn(dir.path().toStdString(), 1);
    StopToken stop;
    ExportJob job;
    job.outDir = dir.filePath(QStringLiteral("out")).toStdString();
    try {
      runExportJob(p, p.space.smallest(), job, stop);
      QFAIL("exported without a supernet");
    } catch (const ConfigError& e) {
      const std::string what = e.what();
      QVERIFY2(what.find("checkpoint_last.pt") != std::string::npos, e.what());
      QVERIFY2(what.find("automoe train") != std::string::npos, e.what());
    }
    QVERIFY(!std::filesystem::exists(job.outDir));
  }

  void refusedOutsideTheSpace() {
    QTemporaryDir dir;
    const Project p = test::tinyProjectIn(dir.path().toStdString(), 1);
    ArchConfig arch = p.space.largest();
    arch.decoder.embedDim += 3;
    StopToken stop;
    ExportJob job;
    job.outDir = dir.filePath(QStringLiteral("out")).toStdString();
    QVERIFY_THROWS_EXCEPTION(ConfigError, runExportJob(p, arch, job, stop));
  }
};

QTEST_GUILESS_MAIN(TestExportJob)
#include "test_export_job.moc"
