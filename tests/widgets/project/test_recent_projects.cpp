// RecentProjects: the last project files opened, most recent first, each once however it was
// spelled, at most kMax, files since deleted left out; remove and clear. QSettings goes to a
// temporary folder.
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include "project/recent_projects.h"
#include "support/isolated_settings.h"

using automoe::widgets::RecentProjects;

class TestRecentProjects final : public QObject {
  Q_OBJECT

  QTemporaryDir m_settings;
  QTemporaryDir m_files;

  QString touch(const QString& name) {
    const QString path = m_files.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
    f.write("{}");
    return QDir::cleanPath(path);
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_settings.isValid() && m_files.isValid());
    automoe::test::isolateSettings(m_settings.path(), QStringLiteral("recent_projects"));
  }

  void init() { RecentProjects::clear(); }

  void mostRecentFirstAndEachOnce() {
    const QString a = touch(QStringLiteral("a.json")), b = touch(QStringLiteral("b.json"));
    QVERIFY(RecentProjects::list().isEmpty());
    RecentProjects::add(a);
    RecentProjects::add(b);
    QCOMPARE(RecentProjects::list(), QStringList({b, a}));
    // The same file spelled another way moves up instead of being listed twice.
    RecentProjects::add(m_files.path() + QStringLiteral("/./sub/../a.json"));
    QCOMPARE(RecentProjects::list(), QStringList({a, b}));
    // Kept across QSettings objects (the next start of the workbench reads it back).
    QCOMPARE(QSettings().value(QStringLiteral("recentProjects")).toStringList(), QStringList({a, b}));
  }

  void atMostKMax() {
    QStringList added;
    for (int i = 0; i < RecentProjects::kMax + 3; ++i) {
      added.prepend(touch(QStringLiteral("p%1.json").arg(i)));
      RecentProjects::add(added.front());
    }
    QCOMPARE(RecentProjects::list(), added.mid(0, RecentProjects::kMax));
  }

  void deletedFilesAreLeftOut() {
    const QString a = touch(QStringLiteral("gone.json")), b = touch(QStringLiteral("kept.json"));
    RecentProjects::add(a);
    RecentProjects::add(b);
    QVERIFY(QFile::remove(a));
    QCOMPARE(RecentProjects::list(), QStringList({b}));
  }

  void removeAndClear() {
    const QString a = touch(QStringLiteral("r1.json")), b = touch(QStringLiteral("r2.json"));
    RecentProjects::add(a);
    RecentProjects::add(b);
    RecentProjects::remove(b);
    QCOMPARE(RecentProjects::list(), QStringList({a}));
    RecentProjects::clear();
    QVERIFY(RecentProjects::list().isEmpty());
  }
};

QTEST_GUILESS_MAIN(TestRecentProjects)
#include "test_recent_projects.moc"
