// AtomicFileWriter: pieces become the file only on commit; a failed write (a full disk, here a
// file-size limit) is taken without complaint until commit, which throws FileWriteError naming the
// file and the reason and leaves the file there before, and no temporary, behind.
#include <QtTest/QtTest>

#include <QDir>
#include <QTemporaryDir>
#include <cerrno>
#include <cstring>
#include <string>

#include "support/file_size_limit.h"
#include "util/atomic_file.h"
#include "util/atomic_file_writer.h"
#include "util/file_write_error.h"

using namespace automoe;

class TestAtomicFileWriter final : public QObject {
  Q_OBJECT

  static QStringList filesIn(const QTemporaryDir& dir) { return QDir(dir.path()).entryList(QDir::Files); }

 private Q_SLOTS:
  void piecesBecomeTheFileOnCommit() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("out.bin").toStdString();
    writeFileAtomically(path, "old");
    AtomicFileWriter w(path);
    QCOMPARE(w.write("new ", 4), size_t(4));
    QCOMPARE(w.write("content", 7), size_t(7));
    QCOMPARE(QString::fromStdString(readTextFile(path)), QString("old"));  // not before the commit
    w.commit();
    QCOMPARE(QString::fromStdString(readTextFile(path)), QString("new content"));
    QCOMPARE(filesIn(dir), QStringList{"out.bin"});
  }

  void anUncommittedWriterLeavesNothing() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("out.bin").toStdString();
    {
      AtomicFileWriter w(path);
      w.write("abandoned", 9);
      QCOMPARE(filesIn(dir).size(), 1);  // the temporary
    }
    QCOMPARE(filesIn(dir), QStringList());
  }

  void aFullDiskFailsAtCommitKeepingTheOldFile() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("out.bin").toStdString();
    writeFileAtomically(path, "the previous content");
    const std::string big(64 * 1024, 'x');
    AtomicFileWriter w(path);
    {
      const testing::FileSizeLimit limit(16 * 1024);
      for (int i = 0; i < 4; ++i) QCOMPARE(w.write(big.data(), big.size()), big.size());  // taken, as a callback needs
    }
    try {
      w.commit();
      QFAIL("expected FileWriteError");
    } catch (const FileWriteError& e) {
      QCOMPARE(QString(e.what()), QString::fromStdString(path + ": cannot write: " + std::strerror(EFBIG) +
                                                         " (a file there before is unchanged)"));
    }
    QCOMPARE(QString::fromStdString(readTextFile(path)), QString("the previous content"));
    QCOMPARE(filesIn(dir), QStringList{"out.bin"});
  }

  void writeFileAtomicallyReportsAFullDisk() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("out.json").toStdString();
    const testing::FileSizeLimit limit(1024);
    QVERIFY_THROWS_EXCEPTION(FileWriteError, writeFileAtomically(path, std::string(4096, 'y')));
    QCOMPARE(filesIn(dir), QStringList());
  }

  void copyFileAtomicallyCopiesAndReportsAFullDisk() {
    QTemporaryDir dir;
    const std::string from = dir.filePath("from.bin").toStdString(), to = dir.filePath("to.bin").toStdString();
    std::string content(3 << 20, '\0');  // more than one buffer of the copy
    for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 2654435761u >> 24);
    writeFileAtomically(from, content);
    copyFileAtomically(from, to);
    QVERIFY(readTextFile(to) == content);
    writeFileAtomically(to, "kept");
    {
      const testing::FileSizeLimit limit(1 << 20);
      QVERIFY_THROWS_EXCEPTION(FileWriteError, copyFileAtomically(from, to));
    }
    QCOMPARE(QString::fromStdString(readTextFile(to)), QString("kept"));
    QCOMPARE(filesIn(dir), (QStringList{"from.bin", "to.bin"}));
  }

  void aMissingFolderFailsAtOnce() {
    try {
      AtomicFileWriter w("/nonexistent-dir/x/out.json");
      QFAIL("expected FileWriteError");
    } catch (const FileWriteError& e) {
      QVERIFY2(QString(e.what()).startsWith("/nonexistent-dir/x/out.json: cannot write: cannot create '") &&
                   QString(e.what()).endsWith(QString::fromStdString(std::string("(") + std::strerror(ENOENT) + ")")),
               e.what());
    }
  }
};

QTEST_APPLESS_MAIN(TestAtomicFileWriter)
#include "test_atomic_file_writer.moc"
