// JobControls: start enabled only while idle and stop only while running (and not after a stop
// request), start kept disabled while blocked (the reason as its tool tip), the boxes locked while running, clicks reported, children named after the prefix,
// panel widgets added to the row, status and log kept.
#include <QCheckBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest/QtTest>

#include "util/job_controls.h"

using automoe::widgets::JobControls;

class TestJobControls final : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void enablingFollowsTheJob() {
    QWidget parent;
    JobControls c(QStringLiteral("demo"), {QStringLiteral("Go"), {}, {}, {}, {}}, &parent);
    QCOMPARE(c.startButton()->text(), QStringLiteral("Go"));
    QCOMPARE(c.startButton()->objectName(), QStringLiteral("demoStart"));
    QCOMPARE(c.logView()->objectName(), QStringLiteral("demoLog"));
    QVERIFY(c.startButton()->isEnabled() && !c.stopButton()->isEnabled());
    c.setRunning(true);
    QVERIFY(!c.startButton()->isEnabled() && c.stopButton()->isEnabled());
    QVERIFY(!c.freshBox()->isEnabled() && !c.syntheticBox()->isEnabled());
    c.stopping();
    QVERIFY(!c.stopButton()->isEnabled() && !c.startButton()->isEnabled());
    c.setRunning(false);
    QVERIFY(c.startButton()->isEnabled() && !c.stopButton()->isEnabled());
    QVERIFY(c.freshBox()->isEnabled() && c.syntheticBox()->isEnabled());
  }

  void blockingKeepsStartDisabledWhateverTheJobDoes() {
    QWidget parent;
    JobControls c(QStringLiteral("demo"), {QStringLiteral("Go"), QStringLiteral("starts it"), {}, {}, {}}, &parent);
    QCOMPARE(c.startButton()->toolTip(), QStringLiteral("starts it"));
    c.setBlocked(QStringLiteral("busy elsewhere"));
    QCOMPARE(c.blocked(), QStringLiteral("busy elsewhere"));
    QVERIFY(!c.startButton()->isEnabled());
    QCOMPARE(c.startButton()->toolTip(), QStringLiteral("busy elsewhere"));
    QVERIFY(c.freshBox()->isEnabled());  // only start is blocked
    c.setRunning(true);
    c.setRunning(false);  // a job ending does not lift the block
    QVERIFY(!c.startButton()->isEnabled());
    c.setBlocked(QString());
    QVERIFY(c.startButton()->isEnabled());
    QCOMPARE(c.startButton()->toolTip(), QStringLiteral("starts it"));
    c.setRunning(true);
    c.setBlocked(QStringLiteral("x"));
    c.setBlocked(QString());  // lifting it while running does not enable start
    QVERIFY(!c.startButton()->isEnabled());
  }

  void clicksBoxesStatusAndLog() {
    QWidget parent;
    JobControls c(QStringLiteral("demo"), {QStringLiteral("Go"), {}, {}, {}, {}}, &parent);
    auto* extra = new QLabel(QStringLiteral("extra"), &c);
    c.addToRow(extra);
    parent.resize(800, 200);
    parent.show();
    QVERIFY(QTest::qWaitForWindowExposed(&parent));
    QSignalSpy start(&c, &JobControls::startClicked), stop(&c, &JobControls::stopClicked);
    QTest::mouseClick(c.startButton(), Qt::LeftButton);
    QCOMPARE(start.size(), 1);
    c.setRunning(true);
    QTest::mouseClick(c.stopButton(), Qt::LeftButton);
    QCOMPARE(stop.size(), 1);
    c.setRunning(false);
    c.freshBox()->setChecked(true);
    c.syntheticBox()->setChecked(true);
    QVERIFY(c.fresh() && c.synthetic());
    c.clearFresh();
    QVERIFY(!c.fresh() && c.synthetic());
    c.setStatus(QStringLiteral("half way"));
    QCOMPARE(c.status(), QStringLiteral("half way"));
    c.log(QStringLiteral("one"));
    c.log(QStringLiteral("two"));
    QCOMPARE(c.logText(), QStringLiteral("one\ntwo"));
    QVERIFY(extra->isVisible());
    QVERIFY(extra->geometry().left() > c.syntheticBox()->geometry().right());
  }
};

QTEST_MAIN(TestJobControls)
#include "test_job_controls.moc"
