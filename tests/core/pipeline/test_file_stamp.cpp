// FileStamp: a file is unchanged while its bytes are; a new time alone is taken into the stamp; a
// missing file, other bytes of the same size, or a malformed stamp count as changed.
#include <QtTest/QtTest>

#include <QTemporaryDir>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "data/fingerprint.h"
#include "pipeline/file_stamp.h"

using namespace automoe;

class TestFileStamp final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  std::string path(const char* name) { return m_dir.filePath(name).toStdString(); }

 private Q_SLOTS:
  void hashesTheWholeFileInBlocks() {
    const std::string f = path("big.bin");
    std::string bytes(3 * (1 << 20) + 17, 0);  // more than one read block
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 131 % 251);
    std::ofstream(f, std::ios::binary) << bytes;
    QCOMPARE(FileStamp::contentHash(f), hex64(fnv1a64(bytes)));
    const nlohmann::json s = FileStamp::of(f);
    QCOMPARE(s.at("size").get<uint64_t>(), uint64_t(bytes.size()));
    QCOMPARE(s.at("fnv1a64").get<std::string>(), hex64(fnv1a64(bytes)));
  }

  void unchangedWhileTheBytesAre() {
    const std::string f = path("a.txt");
    std::ofstream(f) << "first";
    nlohmann::json s = FileStamp::of(f);
    QVERIFY(FileStamp::unchanged(s, f));

    const auto later = std::filesystem::last_write_time(f) + std::chrono::seconds(3);
    std::filesystem::last_write_time(f, later);
    const int64_t before = s.at("mtime_ns").get<int64_t>();
    QVERIFY(FileStamp::unchanged(s, f));  // touched: same bytes
    QCOMPARE(s.at("mtime_ns").get<int64_t>() - before, int64_t{3000000000});
    // Unix time: within a day of now.
    const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    QVERIFY(std::abs(s.at("mtime_ns").get<int64_t>() - now) < int64_t{86400} * 1000000000);

    std::ofstream(f) << "FIRST";  // same size
    std::filesystem::last_write_time(f, later + std::chrono::seconds(1));
    QVERIFY(!FileStamp::unchanged(s, f));
    nlohmann::json longer = FileStamp::of(f);
    std::ofstream(f) << "FIRST!";
    std::filesystem::last_write_time(f, later + std::chrono::seconds(1));  // same time, other size
    QVERIFY(!FileStamp::unchanged(longer, f));

    std::filesystem::remove(f);
    QVERIFY(!FileStamp::unchanged(longer, f));
  }

  void malformedStampCountsAsChanged() {
    const std::string f = path("b.txt");
    std::ofstream(f) << "x";
    const nlohmann::json good = FileStamp::of(f);
    for (const char* field : {"size", "mtime_ns", "fnv1a64"}) {
      nlohmann::json s = good;
      s[field] = nlohmann::json::array();
      QVERIFY2(!FileStamp::unchanged(s, f), field);
      s.erase(field);
      QVERIFY2(!FileStamp::unchanged(s, f), field);
    }
    nlohmann::json notObject = nlohmann::json::array();
    QVERIFY(!FileStamp::unchanged(notObject, f));
  }

  void unreadableFileIsAnError() {
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, FileStamp::of(path("missing")));
  }
};

QTEST_GUILESS_MAIN(TestFileStamp)
#include "test_file_stamp.moc"
