// LatencyPredictor: beats predicting the mean on held-out subnets, uses exactly the dataset's
// features in training and prediction, saves/loads to identical predictions, refuses another
// space; Kendall tau and MAPE on known inputs.
#include <QtTest/QtTest>

#include <QTemporaryDir>

#include <cmath>
#include <set>

#include "arch/arch_config.h"
#include "arch/arch_stats.h"
#include "latency/latency_features.h"
#include "latency/latency_predictor.h"
#include "latency/latency_sample.h"
#include "latency/latency_sampler.h"
#include "support/tiny_space.h"
#include "support/zip_member_span.h"
#include "util/atomic_file.h"
#include "util/config_error.h"

using namespace automoe;

namespace {

// A latency with the structure of the real one: fixed cost, per decoder layer a dispatch cost
// growing with the experts, compute growing with widths; nothing a linear model gets exactly.
double syntheticMs(const ArchConfig& a) {
  double ms = 3.0;
  for (const auto& l : a.encoder.layers) ms += 0.2 + 0.0004 * a.encoder.embedDim * l.expertFfnDims[0];
  for (const auto& l : a.decoder.layers) {
    double ffn = 0;
    for (int f : l.expertFfnDims) ffn += f;
    ms += 1.5 + 0.4 * std::sqrt(double(l.numExperts())) + 0.002 * a.decoder.embedDim * ffn / l.numExperts() +
          0.1 * l.heads;
  }
  return ms;
}

std::vector<LatencySample> samples(const SearchSpace& space, int n) {
  std::vector<LatencySample> out;
  const LatencySampler sampler(space, 5);
  int i = 0;
  for (const auto& a : sampler.plan(n)) {
    LatencySample s;
    s.index = i++;
    s.arch = a;
    s.genes = sampler.codec().encode(a);
    s.features = latencyFeatures(a, space, 5);
    const double ms = syntheticMs(a);
    s.measurement = LatencyMeasurement::fromRuns({0.1 * ms}, {0.9 * ms});
    out.push_back(s);
  }
  return out;
}

// `n` samples measured while the machine's speed drifts by up to +-amplitude (a sine over the
// sample index); the reference subnet, timed between the same runs, drifts alike.
std::vector<LatencySample> driftedSamples(const SearchSpace& space, int n, double amplitude, double frequency) {
  std::vector<LatencySample> out = samples(space, n);
  for (size_t i = 0; i < out.size(); ++i) {
    const double drift = 1.0 + amplitude * std::sin(frequency * double(i));
    const double ms = syntheticMs(out[i].arch) * drift;
    out[i].measurement = LatencyMeasurement::fromRuns({0.1 * ms}, {0.9 * ms});
    out[i].measurement.setReference({10.0 * drift});
  }
  return out;
}

}  // namespace

class TestLatencyPredictor final : public QObject {
  Q_OBJECT

  SearchSpace m_space = test::tinySpace();

  LatencyPredictorOptions options() const {
    LatencyPredictorOptions o;
    o.steps = 1500;
    o.hiddenDim = 64;
    o.seed = 3;
    return o;
  }

 private Q_SLOTS:
  void metricsOnKnownInputs() {
    QCOMPARE(kendallTau({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0);
    QCOMPARE(kendallTau({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
    // 5 concordant, 1 discordant pair of 6: tau = 4/6.
    QVERIFY(std::abs(kendallTau({1, 2, 3, 4}, {1, 3, 2, 4}) - 4.0 / 6) < 1e-12);
    const PredictorMetrics m = evaluatePredictions({100, 200}, {110, 180});
    QVERIFY(std::abs(m.mape - 0.1) < 1e-12);
    QVERIFY(std::abs(m.rmseMs - std::sqrt((100.0 + 400.0) / 2)) < 1e-12);
    QCOMPARE(m.count, 2);
  }

  void featuresHaveStableNamesAndZeroPadding() {
    const auto names = latencyFeatureNames(m_space);
    const ArchConfig small = m_space.smallest();  // 1 decoder layer of 3
    const auto f = latencyFeatures(small, m_space, 5);
    QCOMPARE(f.size(), names.size());
    for (size_t i = 0; i < f.size(); ++i) QCOMPARE(f[i].name, names[i]);
    auto value = [&](const std::string& n) {
      for (const auto& x : f)
        if (x.name == n) return x.value;
      return -1.0;
    };
    QCOMPARE(value("dec.layers"), 1.0);
    QCOMPARE(value("dec.l0.experts"), 1.0);
    QCOMPARE(value("dec.l2.experts"), 0.0);  // padded slot
    QCOMPARE(value("dec.l2.ffn_sum"), 0.0);
    QCOMPARE(value("enc.embed_dim"), double(small.encoder.embedDim));
    QCOMPARE(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  }

  void beatsTheMeanOnHeldOutSubnets() {
    const auto all = samples(m_space, 150);
    std::vector<LatencySample> train, test;
    LatencyPredictor::split(all, 0.2, 1, train, test);
    QCOMPARE(test.size(), size_t{30});
    QCOMPARE(train.size(), size_t{120});
    std::set<std::vector<int>> trainGenes;
    for (const auto& s : train) trainGenes.insert(s.genes);
    for (const auto& s : test) QVERIFY(!trainGenes.count(s.genes));  // held out for real

    LatencyPredictor p(m_space, options(), 5);
    const PredictorReport r = p.fit(train, test);
    QCOMPARE(r.test.count, 30);
    QVERIFY2(r.test.rmseMs < 0.5 * r.meanBaseline.rmseMs,
             qPrintable(QString("rmse %1 vs mean %2").arg(r.test.rmseMs).arg(r.meanBaseline.rmseMs)));
    QVERIFY2(r.test.mape < 0.5 * r.meanBaseline.mape,
             qPrintable(QString("mape %1 vs mean %2").arg(r.test.mape).arg(r.meanBaseline.mape)));
    QVERIFY2(r.test.kendallTau > 0.7, qPrintable(QString::number(r.test.kendallTau)));
    // The report's numbers are the predictions the predictor gives afterwards (one row at a time
    // instead of a batch: float rounding only).
    std::vector<double> truth, pred;
    for (const auto& s : test) {
      truth.push_back(s.measurement.meanMs());
      pred.push_back(p.predictMs(s.arch));  // no drift reference: the state input is unused
    }
    QVERIFY(std::abs(evaluatePredictions(truth, pred).rmseMs - r.test.rmseMs) < 1e-5 * r.test.rmseMs);
  }

  void trainingAndPredictionUseTheSameFeatures() {
    const auto all = samples(m_space, 30);
    LatencyPredictor p(m_space, options(), 5);
    p.fit(all);
    QCOMPARE(p.trainingInputs().size(), all.size());
    for (size_t i = 0; i < all.size(); ++i) {
      const std::vector<double> stored = featureValues(all[i].features);  // as the dataset has it
      QCOMPARE(p.trainingInputs()[i], stored);
      QCOMPARE(p.inputFor(all[i].arch), stored);
    }
  }

  void ensemblePredictsTheMeanOfItsMembers() {
    const auto all = samples(m_space, 60);
    const auto extra = LatencySampler(m_space, 78).plan(15);
    LatencyPredictorOptions o = options();
    o.steps = 300;
    o.ensemble = 3;
    LatencyPredictor ensemble(m_space, o, 5);
    ensemble.fit(all);
    std::vector<double> mean(extra.size(), 0.0), first;
    for (int member = 0; member < 3; ++member) {
      LatencyPredictorOptions single = o;
      single.ensemble = 1;
      single.seed = o.seed + static_cast<uint64_t>(member);  // member i's initialisation
      LatencyPredictor one(m_space, single, 5);
      one.fit(all);
      const auto pred = one.predictMs(extra);
      if (member == 0) first = pred;
      for (size_t i = 0; i < extra.size(); ++i) mean[i] += pred[i] / 3;
    }
    const auto together = ensemble.predictMs(extra);
    double spread = 0;  // the members really differ, so the mean is not trivially one of them
    for (size_t i = 0; i < extra.size(); ++i) {
      QVERIFY2(std::abs(together[i] - mean[i]) < 1e-4 * mean[i], qPrintable(QString("%1 vs %2").arg(together[i]).arg(mean[i])));
      spread = std::max(spread, std::abs(first[i] - mean[i]) / mean[i]);
    }
    QVERIFY2(spread > 1e-4, qPrintable(QString::number(spread)));
  }

  void savesAndLoadsToIdenticalPredictions() {
    QTemporaryDir dir;
    const std::string stem = dir.filePath("runs/p.predictor").toStdString();
    QDir().mkpath(dir.filePath("runs"));
    const auto all = samples(m_space, 40);
    LatencyPredictor p(m_space, options(), 5);
    p.fit(all);
    p.save(stem, {{"profile", "test"}});
    const LatencyPredictor q = LatencyPredictor::load(stem, m_space);
    QCOMPARE(q.featureNames(), p.featureNames());
    const auto extra = LatencySampler(m_space, 77).plan(20);
    const auto a = p.predictMs(extra), b = q.predictMs(extra);
    for (size_t i = 0; i < a.size(); ++i) QCOMPARE(a[i], b[i]);
    QVERIFY(QFile::exists(QString::fromStdString(stem + ".pt")));
    const auto meta = nlohmann::json::parse(QFile(QString::fromStdString(stem + ".json")).exists()
                                                ? std::string(readAll(stem + ".json"))
                                                : std::string("{}"));
    QCOMPARE(meta.at("profile").get<std::string>(), std::string("test"));
    QVERIFY(meta.at("provenance").contains("torch_version"));
    QCOMPARE(meta.at("input_mean").size(), p.featureNames().size());  // no machine state here
    // Another space (other depths) has other features: refused, naming the file.
    SearchSpace other = m_space;
    other.decoder.layers = {1, 2, 3, 4};
    try {
      LatencyPredictor::load(stem, other);
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY(QString(e.what()).contains("feature_names"));
    }
    QVERIFY_THROWS_EXCEPTION(ConfigError, LatencyPredictor::load(stem + ".missing", m_space));
    // Options edited after training (another depth or width): the weights no longer fit; refused,
    // naming both files (was an internal error in the first prediction).
    for (const char* field : {"hidden_layers", "hidden_dim"}) {
      nlohmann::json edited = meta;
      edited["options"][field] = edited["options"][field].get<int>() == 1 ? 2 : 1;
      writeFileAtomically(stem + ".json", edited.dump());
      try {
        LatencyPredictor::load(stem, m_space);
        QFAIL(field);
      } catch (const ConfigError& e) {
        QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(stem + ".pt: the weights do not fit the options in " +
                                                                     stem + ".json (")),
                 e.what());
      }
    }
    // The weights file changed after it was written (a byte of the first tensor's data): refused
    // by the CRC-32 check, naming the file.
    writeFileAtomically(stem + ".json", meta.dump());
    QVERIFY(LatencyPredictor::load(stem, m_space).trained());
    std::string bytes = readAll(stem + ".pt").toStdString();
    const testing::ZipMemberSpan span = testing::zipMemberSpan(bytes, "/data/0");
    QCOMPARE(span.method, 0);
    QVERIFY(span.size >= 4);
    bytes[span.offset + span.size / 2] = static_cast<char>(bytes[span.offset + span.size / 2] ^ 0x01);
    writeFileAtomically(stem + ".pt", bytes);
    try {
      LatencyPredictor::load(stem, m_space);
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).startsWith(QString::fromStdString(stem + ".pt: cannot load the predictor weights: the data of member")), e.what());
      QVERIFY2(QString(e.what()).contains("does not match its CRC-32"), e.what());
    }
  }

  void learnsTheMachineState() {
    // The machine slows down and speeds up by up to 25% while the dataset is measured; the
    // reference subnet, timed between the same runs, drifts alike.
    const std::vector<LatencySample> drifted = driftedSamples(m_space, 150, 0.25, 0.3);
    std::vector<LatencySample> train, test;
    LatencyPredictor::split(drifted, 0.2, 1, train, test);
    LatencyPredictor withState(m_space, options(), 5);
    const PredictorReport s = withState.fit(train, test);
    QVERIFY(withState.usesMachineState());
    std::vector<double> refs;
    for (const auto& x : train) refs.push_back(x.measurement.reference.mean);
    std::sort(refs.begin(), refs.end());
    QCOMPARE(withState.referenceBaselineMs(), refs[refs.size() / 2]);
    // Median-state predictions estimate the drift-free latency scaled to the median state.
    std::vector<double> truthTypical, predTypical;
    for (const auto& x : test) {
      truthTypical.push_back(syntheticMs(x.arch) * refs[refs.size() / 2] / 10.0);
      predTypical.push_back(withState.predictMs(x.arch));
    }
    const PredictorMetrics typical = evaluatePredictions(truthTypical, predTypical);
    // The same rows without their references: the drift is unexplained noise.
    for (auto* v : {&train, &test})
      for (auto& x : *v) x.measurement.setReference({});
    LatencyPredictor blind(m_space, options(), 5);
    const PredictorReport b = blind.fit(train, test);
    QVERIFY(!blind.usesMachineState());
    QVERIFY2(s.test.mape < 0.5 * b.test.mape, qPrintable(QString("%1 vs %2").arg(s.test.mape).arg(b.test.mape)));
    QVERIFY2(typical.mape < 0.5 * b.test.mape, qPrintable(QString("%1 vs %2").arg(typical.mape).arg(b.test.mape)));
  }

  void stateInteractionsCoverTheWholeSubnetFeaturesOnly() {
    QVERIFY(describesWholeSubnet("enc.embed_dim"));
    QVERIFY(describesWholeSubnet("dec.layers"));
    QVERIFY(describesWholeSubnet("dec.sum.ffn_sum"));
    QVERIFY(describesWholeSubnet("dec.step_weights"));
    QVERIFY(!describesWholeSubnet("enc.l0.heads"));
    QVERIFY(!describesWholeSubnet("dec.l3.ffn_max"));
    // A predictor with a machine state saves its input layout (features, slowdown, one column per
    // whole-subnet feature), reloads to the same predictions for every state, and a file of the
    // previous layout (state x every feature) is refused with a hint to retrain.
    const std::vector<LatencySample> drifted = driftedSamples(m_space, 60, 0.2, 0.5);
    LatencyPredictor p(m_space, options(), 5);
    p.fit(drifted);
    QVERIFY(p.usesMachineState());
    QTemporaryDir dir;
    const std::string stem = dir.filePath("s.predictor").toStdString();
    p.save(stem, {});
    size_t whole = 0;
    for (const auto& name : p.featureNames()) whole += describesWholeSubnet(name) ? 1 : 0;
    QVERIFY(whole > 4 && whole < p.featureNames().size() / 2);
    nlohmann::json meta = nlohmann::json::parse(std::string(readAll(stem + ".json")));
    QCOMPARE(meta.at("input_mean").size(), p.featureNames().size() + 1 + whole);
    const LatencyPredictor q = LatencyPredictor::load(stem, m_space);
    for (const auto& s : drifted) QCOMPARE(q.predictMs(s), p.predictMs(s));
    meta["format_version"] = 3;
    QFile f(QString::fromStdString(stem + ".json"));
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(QByteArray::fromStdString(meta.dump()));
    f.close();
    try {
      LatencyPredictor::load(stem, m_space);
      QFAIL("expected ConfigError");
    } catch (const ConfigError& e) {
      QVERIFY2(QString(e.what()).contains("format_version") && QString(e.what()).contains("retrain"), e.what());
    }
  }

  void eachCostFollowsTheMachineStateItsOwnWay() {
    // Only the decoder's part slows down with the machine (memory-bound reads); the encoder's
    // part does not. A subnet's sensitivity to the state therefore depends on its shape.
    const auto all = samples(m_space, 200);
    auto encoderMs = [](const ArchConfig& a) {
      double ms = 3.0;
      for (const auto& l : a.encoder.layers) ms += 0.2 + 0.0004 * a.encoder.embedDim * l.expertFfnDims[0];
      return ms;
    };
    auto measured = [&](const ArchConfig& a, double drift) {
      return encoderMs(a) + (syntheticMs(a) - encoderMs(a)) * drift;
    };
    std::vector<LatencySample> drifted = all;
    for (size_t i = 0; i < drifted.size(); ++i) {
      const double drift = 1.0 + 0.3 * std::sin(0.37 * double(i));
      const double ms = measured(drifted[i].arch, drift);
      drifted[i].measurement = LatencyMeasurement::fromRuns({0.1 * ms}, {0.9 * ms});
      drifted[i].measurement.setReference({10.0 * drift});
    }
    std::vector<LatencySample> train, test;
    LatencyPredictor::split(drifted, 0.2, 1, train, test);
    LatencyPredictor p(m_space, options(), 5);
    p.fit(train, test);
    QVERIFY(p.usesMachineState());
    // Every held-out subnet, predicted for a slow machine (+25%) and a fast one (-20%) against
    // the median state: the predicted slowdown follows its own decoder share.
    const double median = p.referenceBaselineMs() / 10.0;
    std::vector<double> trueGain, predictedGain;
    std::vector<double> slowTruth, slowPredicted;
    for (const auto& x : test) {
      LatencySample slow = x, fast = x;
      slow.measurement.setReference({10.0 * 1.25 * median});
      fast.measurement.setReference({10.0 * 0.8 * median});
      trueGain.push_back(measured(x.arch, 1.25 * median) / measured(x.arch, 0.8 * median));
      predictedGain.push_back(p.predictMs(slow) / p.predictMs(fast));
      slowTruth.push_back(measured(x.arch, 1.25 * median));
      slowPredicted.push_back(p.predictMs(slow));
    }
    const PredictorMetrics onSlow = evaluatePredictions(slowTruth, slowPredicted);
    const PredictorMetrics gain = evaluatePredictions(trueGain, predictedGain);
    qInfo("slow machine: MAPE %.4f; state sensitivity: tau %.3f", onSlow.mape, gain.kendallTau);
    QVERIFY2(onSlow.mape < 0.03, qPrintable(QString("MAPE on the slow machine %1").arg(onSlow.mape)));
    QVERIFY2(gain.kendallTau > 0.6, qPrintable(QString("tau of the state sensitivity %1").arg(gain.kendallTau)));
  }

  void needsTrainingBeforeUse() {
    LatencyPredictor p(m_space, options(), 5);
    QVERIFY(!p.trained());
    QVERIFY_THROWS_EXCEPTION(std::logic_error, p.predictMs(m_space.smallest()));
    QVERIFY_THROWS_EXCEPTION(ConfigError, p.fit(samples(m_space, 1)));
  }

 private:
  static QByteArray readAll(const std::string& path) {
    QFile f(QString::fromStdString(path));
    f.open(QIODevice::ReadOnly);
    return f.readAll();
  }
};

QTEST_APPLESS_MAIN(TestLatencyPredictor)
#include "test_latency_predictor.moc"
