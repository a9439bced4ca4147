// RunLock: one holder at a time, in this process or another; the holder named where it can be;
// released when the holder ends, however it ends.
#include <QtTest/QtTest>

#include <QProcess>
#include <QTemporaryDir>

#include <fstream>
#include <memory>

#include "util/config_error.h"
#include "util/file_write_error.h"
#include "util/run_lock.h"

using namespace automoe;

class TestRunLock final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  std::string path(const char* name) const { return m_dir.filePath(name).toStdString(); }

  static QString refusal(const std::string& lockFile, const std::string& what) {
    try {
      RunLock again(lockFile, what);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return {};
  }

 private Q_SLOTS:
  void oneJobOfThisProcessAtATime() {
    const std::string file = RunLock::forFolder(m_dir.path().toStdString());
    QCOMPARE(QString::fromStdString(file), m_dir.path() + "/.automoe.lock");
    {
      const RunLock first(file, "runs/supernet");
      QCOMPARE(refusal(file, "runs/supernet"),
               QString("runs/supernet: in use by another job of this process; wait for it to finish or stop it, then run again"));
    }
    QCOMPARE(refusal(file, "runs/supernet"), QString());  // free again
  }

  // Another process holds it (util-linux's flock, which writes no pid): refused until it ends,
  // even when it is killed.
  void anotherProcessUntilItEnds() {
    const std::string file = RunLock::forFile(path("history.jsonl"));
    QCOMPARE(QString::fromStdString(file), m_dir.filePath(".history.jsonl.lock"));
    std::ofstream(file).flush();
    QProcess holder;
    // One process holds it (bash becomes sleep, keeping the locked descriptor): killed, it is gone.
    holder.start("bash", {"-c", "exec 9>>\"$0\"; flock 9; exec sleep 60", QString::fromStdString(file)});
    QVERIFY(holder.waitForStarted());
    QString why;
    for (int i = 0; i < 200 && why.isEmpty(); ++i) {  // until the holder has the lock
      why = refusal(file, "history.jsonl");
      if (why.isEmpty()) QTest::qWait(25);
    }
    QCOMPARE(why, QString("history.jsonl: in use by another process; wait for it to finish or stop it, then run again"));
    holder.kill();
    QVERIFY(holder.waitForFinished());
    QCOMPARE(refusal(file, "history.jsonl"), QString());
  }

  // The holder's pid is in the file for the next one's message; a lock file that cannot be made
  // is a write error naming it.
  void holderPidAndUnwritableFolders() {
    const std::string file = path("pid.lock");
    {
      const RunLock held(file, "x");
      std::ifstream in(file);
      long long pid = 0;
      in >> pid;
      QCOMPARE(pid, static_cast<long long>(QCoreApplication::applicationPid()));
    }
    QVERIFY_THROWS_EXCEPTION(FileWriteError, RunLock("/nonexistent-folder/.automoe.lock", "x"));
  }
};

QTEST_GUILESS_MAIN(TestRunLock)
#include "test_run_lock.moc"
