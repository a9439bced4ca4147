// The automoe-workbench executable: usage errors (a screenshot without PROJECT, two PROJECTs,
// bad flags) and bad project files exit 2 with a message naming the file and field (a bad
// project waits in an error box first, unless --no-dialogs or --screenshot); --screenshot writes
// a non-blank PNG off-screen and exits 0; --tab training shows the run folder's curves, --tab
// pipeline the Pipeline tab.
#include <QColor>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest/QtTest>

namespace {

const QString kApp = QStringLiteral(AUTOMOE_WORKBENCH);
const QString kDemo = QStringLiteral(AUTOMOE_SOURCE_DIR "/projects/demo/project.json");

struct Result {
  int code = -1;
  QString out;
  QString err;
};

Result run(const QStringList& args) {
  QProcess p;
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
  p.setProcessEnvironment(env);
  p.start(kApp, args);
  if (!p.waitForFinished(120000)) return {};
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
          QString::fromUtf8(p.readAllStandardOutput()),
          QString::fromUtf8(p.readAllStandardError())};
}

// The demo project with a bad field (qkv_dim a string), as <dir>/broken.json.
QString writeBrokenProject(const QTemporaryDir& dir) {
  QFile in(kDemo);
  if (!in.open(QIODevice::ReadOnly)) return {};
  QByteArray text = in.readAll();
  text.replace("\"qkv_dim\": 128", "\"qkv_dim\": \"wide\"");
  const QString path = dir.filePath(QStringLiteral("broken.json"));
  QFile out(path);
  if (!out.open(QIODevice::WriteOnly)) return {};
  out.write(text);
  return path;
}

}  // namespace

class TestWorkbenchApp final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
  }

  void helpAndVersion() {
    const Result help = run({QStringLiteral("--help")});
    QCOMPARE(help.code, 0);
    QVERIFY(help.out.contains(QStringLiteral("--screenshot")));
    QVERIFY(help.out.contains(QStringLiteral("PROJECT")));
    const Result version = run({QStringLiteral("--version")});
    QCOMPARE(version.code, 0);
    QVERIFY(version.out.contains(QStringLiteral(AUTOMOE_VERSION)));
  }

  // Without PROJECT the workbench asks with a file dialog (ProjectLauncher's test); a screenshot
  // cannot ask, so it needs one.
  void usageErrors() {
    QTemporaryDir dir;
    const Result r = run({QStringLiteral("--screenshot"), dir.filePath(QStringLiteral("x.png"))});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QStringLiteral("PROJECT")), qPrintable(r.err));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("x.png"))));
    const Result two = run({kDemo, kDemo});
    QCOMPARE(two.code, 2);
    QVERIFY2(two.err.contains(QStringLiteral("one PROJECT")), qPrintable(two.err));
    QCOMPARE(run({kDemo, QStringLiteral("--seed"), QStringLiteral("abc")}).code, 2);
    const Result tab = run({kDemo, QStringLiteral("--tab"), QStringLiteral("sideways")});
    QCOMPARE(tab.code, 2);
    QVERIFY2(tab.err.contains(QStringLiteral("--tab")) && tab.err.contains(QStringLiteral("sideways")), qPrintable(tab.err));
    QVERIFY2(tab.err.contains(QStringLiteral("latency")), qPrintable(tab.err));  // the choices are listed
    QVERIFY2(tab.err.contains(QStringLiteral("pipeline")), qPrintable(tab.err));
  }

  void badProjectNamesFileAndField() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = writeBrokenProject(dir);
    QVERIFY(!path.isEmpty());
    const Result r = run({path, QStringLiteral("--no-dialogs")});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains(QStringLiteral("broken.json")), qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("qkv_dim")), qPrintable(r.err));
    QCOMPARE(run({dir.filePath(QStringLiteral("missing.json")), QStringLiteral("--no-dialogs")}).code, 2);
    // A screenshot never waits in a box either.
    const Result shot = run({path, QStringLiteral("--screenshot"), dir.filePath(QStringLiteral("x.png"))});
    QCOMPARE(shot.code, 2);
    QVERIFY2(shot.err.contains(QStringLiteral("qkv_dim")), qPrintable(shot.err));
    const Result help = run({QStringLiteral("--help")});
    QVERIFY2(help.out.contains(QStringLiteral("--no-dialogs")), qPrintable(help.out));
  }

  // Without --no-dialogs the error, already on stderr, also waits in an error box: the process is
  // still there after the message (it exits 2 once the box is closed; here nobody can close it).
  void badProjectWaitsInAnErrorBox() {
    QTemporaryDir dir;
    const QString path = writeBrokenProject(dir);
    QVERIFY(!path.isEmpty());
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    p.setProcessEnvironment(env);
    p.start(kApp, {path});
    QVERIFY(p.waitForStarted());
    QString err;
    QTRY_VERIFY_WITH_TIMEOUT((err += QString::fromUtf8(p.readAllStandardError())).contains(QStringLiteral("qkv_dim")),
                             60000);
    QVERIFY2(err.contains(QStringLiteral("broken.json")), qPrintable(err));
    QVERIFY(!p.waitForFinished(1500));
    QCOMPARE(p.state(), QProcess::Running);
    p.kill();
    QVERIFY(p.waitForFinished());
  }

  void screenshotWritesANonBlankPng() {
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("wb.png"));
    const Result r = run({kDemo, QStringLiteral("--seed"), QStringLiteral("7"),
                          QStringLiteral("--screenshot"), png});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QImage img;
    QVERIFY(img.load(png));
    QVERIFY(img.width() >= 800 && img.height() >= 600);
    QSet<QRgb> colours;
    for (int y = 0; y < img.height(); y += 3)
      for (int x = 0; x < img.width(); x += 3) colours.insert(img.pixel(x, y));
    QVERIFY2(colours.size() > 100, qPrintable(QString::number(colours.size())));
  }

  // The training tab of a project whose run folder has history shows its curves: the first
  // validation curve's colour is drawn.
  void trainingTabShowsTheRunsHistory() {
    QTemporaryDir dir;
    QVERIFY(QFile::copy(kDemo, dir.filePath(QStringLiteral("project.json"))));
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("runs/supernet")));
    QFile metrics(dir.filePath(QStringLiteral("runs/supernet/metrics.jsonl")));
    QVERIFY(metrics.open(QIODevice::WriteOnly));
    for (int step = 10; step <= 200; step += 10) {
      metrics.write(QStringLiteral("{\"type\":\"train\",\"step\":%1,\"lr\":0.001,\"loss\":%2}\n")
                        .arg(step)
                        .arg(9.0 - step / 50.0)
                        .toUtf8());
      if (step % 50 == 0)
        metrics.write(QStringLiteral("{\"type\":\"valid\",\"step\":%1,\"subnets\":[{\"name\":\"largest\",\"loss\":%2}]}\n")
                          .arg(step)
                          .arg(8.5 - step / 50.0)
                          .toUtf8());
    }
    metrics.close();
    const QColor validation(0xd6, 0x27, 0x28);  // TrainingCurvesPlot's first validation colour
    auto validationPixels = [&](const QString& tab) {
      const QString png = dir.filePath(tab + QStringLiteral(".png"));
      const Result r = run({dir.filePath(QStringLiteral("project.json")), QStringLiteral("--tab"), tab,
                            QStringLiteral("--screenshot"), png});
      if (r.code != 0) qWarning("%s", qPrintable(r.err));
      QImage img;
      if (!img.load(png)) return -1;
      int n = 0;
      for (int y = 0; y < img.height(); ++y)
        for (int x = 0; x < img.width(); ++x) n += img.pixelColor(x, y) == validation;
      return n;
    };
    const int training = validationPixels(QStringLiteral("training"));
    QVERIFY2(training > 50, qPrintable(QString::number(training)));
    QCOMPARE(validationPixels(QStringLiteral("architecture")), 0);
    QCOMPARE(validationPixels(QStringLiteral("latency")), 0);  // a tab of its own, without curves
    QCOMPARE(validationPixels(QStringLiteral("model")), 0);    // the retraining's curves: none yet
    QCOMPARE(validationPixels(QStringLiteral("pipeline")), 0);  // a table of the stages, no curves
  }

  // --tab pipeline shows the Pipeline tab: its table, not the architecture diagram.
  void pipelineTab() {
    QTemporaryDir dir;
    auto shot = [&](const QString& tab) {
      const QString png = dir.filePath(tab + QStringLiteral(".png"));
      const Result r = run({kDemo, QStringLiteral("--tab"), tab, QStringLiteral("--screenshot"), png});
      if (r.code != 0) qWarning("%s", qPrintable(r.err));
      QImage img;
      img.load(png);
      return img;
    };
    const QImage pipeline = shot(QStringLiteral("pipeline")), architecture = shot(QStringLiteral("architecture"));
    QVERIFY(!pipeline.isNull() && !architecture.isNull());
    QVERIFY(pipeline != architecture);
  }
};

QTEST_MAIN(TestWorkbenchApp)
#include "test_workbench_app.moc"
