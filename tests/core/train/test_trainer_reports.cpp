// Trainer reports: each update's expert load follows the subnet the sampler gave that update.
#include <QtTest/QtTest>

#include <QTemporaryDir>
#include <cmath>

#include "support/recording_observer.h"
#include "support/tiny_training.h"
#include "train/subnet_sampler.h"
#include "train/trainer.h"

using namespace automoe;

class TestTrainerReports final : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  QString dir(const char* name) { return m_dir.filePath(name); }

 private Q_SLOTS:
  // Each update's expert load has a row per layer of its subnet, encoder layers first, a share per
  // expert, shares summing to 1.
  void expertLoadFollowsTheSampledSubnet() {
    const Project p = test::tinyProject();
    Trainer t(p, test::tinyTraining(8), test::tinyCorpus(), dir("load").toStdString());
    StopToken stop;
    test::RecordingObserver rec;
    t.run(stop, rec);
    const SubnetSampler sampler(p.space, t.options().sampling, p.seed);
    QCOMPARE(rec.steps.size(), size_t(8));
    for (const auto& s : rec.steps) {
      const ArchConfig arch = sampler.forStep(s.step - 1).front();
      QCOMPARE(s.arch, arch.summary());
      QCOMPARE(s.expertLoadEncoderRows, int64_t(arch.encoder.numLayers()));
      QCOMPARE(s.expertLoad.size(), size_t(arch.encoder.numLayers() + arch.decoder.numLayers()));
      for (size_t i = 0; i < s.expertLoad.size(); ++i) {
        const bool dec = int64_t(i) >= s.expertLoadEncoderRows;
        const LayerArch& layer = dec ? arch.decoder.layers[i - size_t(s.expertLoadEncoderRows)] : arch.encoder.layers[i];
        QCOMPARE(s.expertLoad[i].size(), size_t(layer.numExperts()));
        double sum = 0;
        for (double share : s.expertLoad[i]) sum += share;
        QVERIFY2(std::abs(sum - 1) < 1e-9, qPrintable(QString::number(sum)));
      }
    }
  }
};

QTEST_GUILESS_MAIN(TestTrainerReports)
#include "test_trainer_reports.moc"
