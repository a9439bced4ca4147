// PipelineState: stage status from fingerprints, persisted atomically, corrupt files refused.
#include <QtTest/QtTest>

#include <QTemporaryDir>
#include <filesystem>
#include <fstream>

#include "pipeline/file_stamp.h"
#include "pipeline/pipeline_state.h"
#include "util/config_error.h"

using namespace automoe;
using Status = PipelineState::Status;

class TestPipelineState final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  std::string path(const char* name) { return m_dir.filePath(name).toStdString(); }

 private Q_SLOTS:
  void statusFollowsFingerprints() {
    const std::string f = path("a/pipeline.json");
    PipelineState s = PipelineState::load(f);  // missing file: empty state
    QCOMPARE(int(s.status("supernet", "aa")), int(Status::NotStarted));
    s.markStarted("supernet", "aa");
    QCOMPARE(int(s.status("supernet", "aa")), int(Status::Interrupted));
    QCOMPARE(int(s.status("supernet", "bb")), int(Status::Changed));
    QVERIFY(s.outputs("supernet").is_null());
    s.markDone("supernet", "aa", {{"checkpoint", "runs/supernet/checkpoint_last.pt"}});
    QCOMPARE(int(s.status("supernet", "aa")), int(Status::Done));
    QCOMPARE(int(s.status("supernet", "bb")), int(Status::Changed));
    QCOMPARE(int(s.status("search", "aa")), int(Status::NotStarted));

    // Saved at every change: a fresh load sees the same.
    const PipelineState again = PipelineState::load(f);
    QCOMPARE(int(again.status("supernet", "aa")), int(Status::Done));
    QCOMPARE(again.outputs("supernet").value("checkpoint", ""), std::string("runs/supernet/checkpoint_last.pt"));
    QVERIFY(!QFile::exists(QString::fromStdString(f + ".tmp")));
  }

  void restartedStageIsInterruptedAgain() {
    PipelineState s = PipelineState::load(path("b.json"));
    s.markDone("search", "f1", {});
    s.markStarted("search", "f2");  // inputs changed, started over, then killed
    const PipelineState again = PipelineState::load(path("b.json"));
    QCOMPARE(int(again.status("search", "f2")), int(Status::Interrupted));
    QCOMPARE(int(again.status("search", "f1")), int(Status::Changed));
  }

  void changedFileFollowsRecordedStamps() {
    const std::string f = path("c/pipeline.json"), out = path("c/out.bin"), in = path("c/in.bin");
    std::filesystem::create_directories(path("c"));
    std::ofstream(out) << "written";
    std::ofstream(in) << "read";
    PipelineState s = PipelineState::load(f);
    QCOMPARE(s.changedFile("export", "stamps"), std::string());  // never completed: nothing recorded
    s.markDone("export", "aa", {{"stamps", {{out, FileStamp::of(out)}}}, {"input_stamps", {{in, FileStamp::of(in)}}}});
    QCOMPARE(s.changedFile("export", "stamps"), std::string());
    QCOMPARE(s.changedFile("export", "input_stamps"), std::string());
    QCOMPARE(s.changedFile("export", "no_such_key"), std::string());

    // Same bytes, another time: unchanged, and the new time is saved.
    const auto later = std::filesystem::last_write_time(in) + std::chrono::seconds(5);
    std::filesystem::last_write_time(in, later);
    const int64_t recorded = s.outputs("export")["input_stamps"][in]["mtime_ns"].get<int64_t>();
    QCOMPARE(s.changedFile("export", "input_stamps"), std::string());
    const int64_t savedTime = PipelineState::load(f).outputs("export")["input_stamps"][in]["mtime_ns"].get<int64_t>();
    QCOMPARE(savedTime - recorded, int64_t{5000000000});

    std::ofstream(in) << "READ";  // same size, other bytes
    QCOMPARE(s.changedFile("export", "input_stamps"), in);
    std::filesystem::remove(out);
    QCOMPARE(s.changedFile("export", "stamps"), out);
  }

  void refusesCorruptFiles() {
    for (const char* text : {"{not json", "[1,2]", "{\"format_version\": 99, \"stages\": {}}",
                             "{\"format_version\": \"1\", \"stages\": {}}",
                             "{\"format_version\": 1, \"stages\": {\"x\": {\"done\": true}}}",
                             "{\"format_version\": 1, \"stages\": {\"x\": {\"fingerprint\": \"a\", \"done\": 1}}}",
                             "{\"format_version\": 1, \"stages\": {\"x\": {\"fingerprint\": \"a\", \"outputs\": []}}}"}) {
      const std::string f = path("bad.json");
      std::ofstream(f) << text;
      try {
        PipelineState::load(f);
        QFAIL(text);
      } catch (const ConfigError& e) {
        QVERIFY2(std::string(e.what()).find(f) != std::string::npos, e.what());
      }
    }
  }
};

QTEST_GUILESS_MAIN(TestPipelineState)
#include "test_pipeline_state.moc"
