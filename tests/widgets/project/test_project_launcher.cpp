// ProjectLauncher: loading names the file and field of a bad project; a project shown opens a
// window and joins the recent list; opening another replaces the window it was asked from (the
// old one closes), while a bad file leaves that window as it was and says why in an error box;
// the file dialog asks again after a bad file and returns nothing when cancelled. The window's
// File menu drives it: Open project… asks, Open recent opens the file listed, and neither is
// offered while a job runs. QSettings goes to a temporary folder.
#include <QAction>
#include <QApplication>
#include <QFile>
#include <QFileDialog>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPointer>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest/QtTest>
#include <functional>

#include "main_window.h"
#include "project/project_launcher.h"
#include "project/recent_projects.h"
#include "support/isolated_settings.h"

using namespace automoe;
using namespace automoe::widgets;

namespace {

// Calls `act` with the next modal dialog once it is shown (the code under test is blocked in its
// exec() meanwhile).
void onNextModal(const std::function<void(QWidget*)>& act) {
  auto* timer = new QTimer;
  timer->setInterval(10);
  QObject::connect(timer, &QTimer::timeout, [timer, act] {
    QWidget* modal = QApplication::activeModalWidget();
    if (!modal || !modal->isVisible()) return;
    timer->stop();
    timer->deleteLater();
    act(modal);
  });
  timer->start();
}

// Chooses `path` in the file dialog shown next (or cancels it when `path` is empty), keeping the
// dialog's name; then `then`.
void chooseInNextDialog(const QString& path, QString* dialogName = nullptr, const std::function<void()>& then = {}) {
  onNextModal([path, dialogName, then](QWidget* w) {
    auto* dialog = qobject_cast<QFileDialog*>(w);
    if (dialogName) *dialogName = dialog ? dialog->objectName() : QStringLiteral("not a file dialog");
    if (then) then();  // polls from the next event loop turn, once this dialog is hidden
    if (!dialog) {
      w->close();
      return;
    }
    if (path.isEmpty()) {
      dialog->reject();
      return;
    }
    // Typed as a user would: selectFile() alone selects nothing until the dialog's file model has
    // read the folder.
    auto* name = dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"));
    if (name) name->setText(path);
    else dialog->selectFile(path);
    static_cast<QDialog*>(dialog)->accept();  // QFileDialog::accept is protected; QDialog's is not
  });
}

// Accepts the message box shown next, keeping its text and informative text; then `then`.
void acceptNextBox(QString* text, const std::function<void()>& then = {}) {
  onNextModal([text, then](QWidget* w) {
    auto* box = qobject_cast<QMessageBox*>(w);
    *text = box ? box->text() + QLatin1Char('\n') + box->informativeText() : QStringLiteral("not a message box: %1 %2").arg(QString::fromLatin1(w->metaObject()->className()), w->objectName());
    if (then) then();
    if (box) box->accept();
    else w->close();
  });
}

}  // namespace

class TestProjectLauncher final : public QObject {
  Q_OBJECT

  QTemporaryDir m_settings;
  QTemporaryDir m_dir;
  QString m_good, m_other, m_broken;

  QString writeProject(const QString& name, const QByteArray& from, const QByteArray& to) {
    QFile in(QStringLiteral(AUTOMOE_SOURCE_DIR "/projects/demo/project.json"));
    if (!in.open(QIODevice::ReadOnly)) qFatal("cannot read the demo project");
    QByteArray text = in.readAll();
    if (!from.isEmpty()) text.replace(from, to);
    const QString path = m_dir.filePath(name);
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
    out.write(text);
    return path;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(m_settings.isValid() && m_dir.isValid());
    automoe::test::isolateSettings(m_settings.path(), QStringLiteral("project_launcher"));
    m_good = writeProject(QStringLiteral("good.json"), {}, {});
    m_other = writeProject(QStringLiteral("other.json"), "\"name\": \"demo\"", "\"name\": \"other-demo\"");
    m_broken = writeProject(QStringLiteral("broken.json"), "\"qkv_dim\": 128", "\"qkv_dim\": \"wide\"");
  }

  void init() { RecentProjects::clear(); }

  void loadNamesFileAndField() {
    QString error;
    QVERIFY(ProjectLauncher::load(m_good, &error).has_value());
    QVERIFY(!ProjectLauncher::load(m_broken, &error).has_value());
    QVERIFY2(error.contains(QStringLiteral("broken.json")) && error.contains(QStringLiteral("qkv_dim")),
             qPrintable(error));
    QVERIFY(!ProjectLauncher::load(m_dir.filePath(QStringLiteral("missing.json")), &error).has_value());
    QVERIFY2(error.contains(QStringLiteral("missing.json")), qPrintable(error));
  }

  void openReplacesTheWindowAndRemembersIt() {
    ProjectLauncher launcher;
    QPointer<MainWindow> first = launcher.open(m_good);
    QVERIFY(first);
    QVERIFY(first->isVisible());
    QCOMPARE(launcher.window(), first.data());
    QCOMPARE(RecentProjects::list(), QStringList({m_good}));
    QPointer<MainWindow> second = launcher.open(m_other, first);
    QVERIFY(second && second->isVisible());
    QVERIFY(second->windowTitle().contains(QStringLiteral("other-demo")));
    QTRY_VERIFY(first.isNull());  // closed and deleted
    QCOMPARE(RecentProjects::list(), QStringList({m_other, m_good}));
    delete second.data();
  }

  void aBadFileLeavesTheWindowAndSaysWhy() {
    ProjectLauncher launcher;
    QPointer<MainWindow> window = launcher.open(m_good);
    QVERIFY(window);
    QString text;
    acceptNextBox(&text);
    QVERIFY(!launcher.open(m_broken, window));
    QVERIFY2(text.contains(QStringLiteral("broken.json")) && text.contains(QStringLiteral("qkv_dim")), qPrintable(text));
    QVERIFY(window && window->isVisible());
    QCOMPARE(launcher.window(), window.data());
    QCOMPARE(RecentProjects::list(), QStringList({m_good}));  // a bad file is not remembered
    delete window.data();
  }

  // The box the app also shows for a PROJECT named on its command line that does not load.
  void theErrorBoxNamesFileAndError() {
    QString name, text;
    onNextModal([&](QWidget* w) {
      name = w->objectName();
      auto* box = qobject_cast<QMessageBox*>(w);
      text = box ? box->text() + QLatin1Char('\n') + box->informativeText() : QString();
      w->close();
    });
    QString error;
    QVERIFY(!ProjectLauncher::load(m_broken, &error));
    ProjectLauncher::showError(nullptr, m_broken, error);
    QCOMPARE(name, QStringLiteral("projectErrorBox"));
    QVERIFY2(text.contains(QStringLiteral("broken.json")) && text.contains(QStringLiteral("qkv_dim")), qPrintable(text));
  }

  void theDialogAsksAgainAfterABadFile() {
    ProjectLauncher launcher;
    QString firstDialog, box, secondDialog;
    // A bad file in the dialog, the error box, then a good file in the dialog asked again.
    chooseInNextDialog(m_broken, &firstDialog,
                       [&] { acceptNextBox(&box, [&] { chooseInNextDialog(m_good, &secondDialog); }); });
    QPointer<MainWindow> window = launcher.chooseAndOpen();
    QCOMPARE(firstDialog, QStringLiteral("openProjectDialog"));
    QVERIFY2(box.contains(QStringLiteral("qkv_dim")), qPrintable(box));
    QCOMPARE(secondDialog, QStringLiteral("openProjectDialog"));
    QVERIFY(window && window->isVisible());
    QCOMPARE(RecentProjects::list(), QStringList({m_good}));
    QCOMPARE(ProjectLauncher::startFolder(), QFileInfo(m_good).absolutePath());
    chooseInNextDialog(QString());
    QVERIFY(!launcher.chooseAndOpen(window));  // cancelled: nothing opens, the window stays
    QVERIFY(window && window->isVisible());
    delete window.data();
  }

  void theFileMenuOpensThroughTheLauncher() {
    ProjectLauncher launcher;
    QPointer<MainWindow> first = launcher.open(m_good);
    QVERIFY(first);
    RecentProjects::add(m_other);
    // Open recent lists the files (filled when the menu is about to show) and opens the one chosen.
    Q_EMIT first->recentMenu()->aboutToShow();
    QAction* other = nullptr;
    for (QAction* a : first->recentMenu()->actions())
      if (a->data().toString() == m_other) other = a;
    QVERIFY(other);
    other->trigger();
    QPointer<MainWindow> second = launcher.window();
    QVERIFY(second && second != first);
    QVERIFY(second->windowTitle().contains(QStringLiteral("other-demo")));
    QTRY_VERIFY(first.isNull());
    // Open project… asks with the dialog.
    QString dialog;
    chooseInNextDialog(m_good, &dialog);
    QVERIFY(second->openAction()->isEnabled());
    second->openAction()->trigger();
    QCOMPARE(dialog, QStringLiteral("openProjectDialog"));
    QTRY_VERIFY(second.isNull());
    QVERIFY(launcher.window() && launcher.window()->windowTitle().contains(QStringLiteral("demo")));
    delete launcher.window();
  }
};

QTEST_MAIN(TestProjectLauncher)
#include "test_project_launcher.moc"
