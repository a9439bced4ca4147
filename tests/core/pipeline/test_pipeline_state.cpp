// PipelineState: stage status from fingerprints, persisted atomically, corrupt files refused.
#include <QtTest/QtTest>

#include <QTemporaryDir>
#include <fstream>

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

  void refusesCorruptFiles() {
    for (const char* text : {"{not json", "[1,2]", "{\"format_version\": 99, \"stages\": {}}",
                             "{\"format_version\": 1, \"stages\": {\"x\": {\"done\": true}}}"}) {
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
