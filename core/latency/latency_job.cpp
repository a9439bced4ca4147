#include "latency/latency_job.h"

#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>

#include "latency/latency_dataset.h"
#include "latency/latency_features.h"
#include "latency/latency_paths.h"
#include "latency/latency_predictor.h"
#include "latency/latency_profiler.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/json_reader.h"

namespace automoe {

namespace {

// What a dataset records of the supernet's model options (all the measurement depends on).
nlohmann::json datasetModelJson(const Project& p) { return {{"vocab_size", p.model.vocabSize}}; }

// The dataset must have been measured for the project's space under the profile's settings now.
void checkDatasetFits(const LatencyDataset& dataset, const Project& p, const HardwareProfile& h) {
  const std::string& path = dataset.path();
  if (dataset.header().at("search_space") != p.space.toJson())
    throw ConfigError(path + ": field 'search_space': the dataset was measured for another search "
                             "space than the project's; measure it again");
  if (dataset.header().at("profile") != h.toJson())
    throw ConfigError(path + ": field 'profile': the dataset was measured under other profile "
                             "settings than \"" + h.name + "\" has now; measure it again");
}

LatencyFitPoint pointFor(const LatencyPredictor& predictor, const LatencySample& s, bool heldOut) {
  LatencyFitPoint p;
  p.index = s.index;
  p.measuredMs = s.measurement.meanMs();
  p.predictedMs = predictor.predictMs(s);
  p.heldOut = heldOut;
  p.summary = s.arch.summary();
  return p;
}

}  // namespace

LatencyDatasetJobResult runLatencyDatasetJob(const Project& p, const LatencyDatasetJob& job, const StopToken& stop,
                                             const LatencySampleProgress& progress,
                                             const LatencyJobMessage& message) {
  const HardwareProfile& h = findHardwareProfile(p.hardwareProfiles, job.profile, p.path);
  LatencyDatasetJobResult out;
  out.profile = h.name;
  out.target = job.samples > 0 ? job.samples : p.latency.datasetSamples;
  out.path = latencyDatasetPath(p, h);
  LatencyDataset dataset = LatencyDataset::open(
      out.path, LatencyDataset::makeHeader(h.toJson(), p.space.toJson(), datasetModelJson(p), p.latency.seed,
                                           latencyFeatureNames(p.space)));
  if (dataset.droppedTruncatedLine() && message)
    message(out.path + ": dropped an incomplete last line (interrupted write)");
  if (message)
    message("latency dataset " + out.path + ": " + std::to_string(dataset.samples().size()) + " stored, target " +
            std::to_string(out.target) + " (profile " + h.name + ")");
  LatencyProfiler profiler(h, p.space, p.model);
  profiler.setModelSeed(p.seed);
  profiler.setStopToken(&stop);
  LatencyDatasetRunner runner(p.space, p.latency.seed, latencyDecoderRows(h),
                              [&](const ArchConfig& a) { return profiler.measure(a); });
  if (progress) runner.setProgress(progress);
  out.run = runner.run(dataset, out.target, stop);
  out.stored = dataset.samples().size();
  if (out.run.planned < out.target && message)
    message("note: the search space yielded only " + std::to_string(out.run.planned) + " distinct subnets");
  return out;
}

LatencyFit runLatencyPredictorJob(const Project& p, const LatencyPredictorJob& job, const LatencyJobMessage& message) {
  const HardwareProfile& h = findHardwareProfile(p.hardwareProfiles, job.profile, p.path);
  LatencyPredictorOptions o = p.latency.predictor;
  if (job.holdout >= 0) o.holdout = job.holdout;
  if (job.steps > 0) o.steps = job.steps;
  LatencyFit fit;
  fit.profile = h.name;
  fit.datasetPath = latencyDatasetPath(p, h);
  if (!std::filesystem::exists(fit.datasetPath))
    throw ConfigError(fit.datasetPath + ": no latency dataset for profile \"" + h.name +
                      "\"; run 'automoe latency dataset " + p.path + "' first");
  const LatencyDataset dataset = LatencyDataset::load(fit.datasetPath);
  checkDatasetFits(dataset, p, h);
  if (dataset.samples().size() < 5)
    throw ConfigError(fit.datasetPath + ": only " + std::to_string(dataset.samples().size()) +
                      " samples; the predictor needs at least 5 (run 'automoe latency dataset')");
  std::vector<LatencySample> train, test;
  LatencyPredictor::split(dataset.samples(), o.holdout, o.seed, train, test);
  LatencyPredictor predictor(p.space, o, latencyDecoderRows(h));
  if (message)
    message("training on " + std::to_string(train.size()) + " samples, " + std::to_string(test.size()) +
            " held out (" + std::to_string(o.steps) + " steps)...");
  fit.report = predictor.fit(train, test);
  fit.predictorStem = latencyPredictorStem(p, h);
  nlohmann::json heldOut = nlohmann::json::array();
  for (const auto& s : test) heldOut.push_back(s.index);
  predictor.save(fit.predictorStem,
                 {{"profile", h.toJson()}, {"dataset", fit.datasetPath}, {"seed", o.seed}, {"held_out", heldOut}});
  fit.features = predictor.featureNames().size();
  fit.ridge = predictor.ridgeUsed();
  fit.usesMachineState = predictor.usesMachineState();
  fit.referenceBaselineMs = predictor.referenceBaselineMs();
  std::set<int> held;
  for (const auto& s : test) held.insert(s.index);
  for (const auto& s : dataset.samples()) fit.points.push_back(pointFor(predictor, s, held.count(s.index) > 0));
  return fit;
}

std::optional<LatencyFit> readLatencyFit(const Project& p, const std::string& profile) {
  const HardwareProfile& h = findHardwareProfile(p.hardwareProfiles, profile, p.path);
  LatencyFit fit;
  fit.profile = h.name;
  fit.datasetPath = latencyDatasetPath(p, h);
  fit.predictorStem = latencyPredictorStem(p, h);
  const std::string card = fit.predictorStem + ".json";
  if (!std::filesystem::exists(fit.datasetPath) || !std::filesystem::exists(card)) return std::nullopt;
  const LatencyPredictor predictor = LatencyPredictor::load(fit.predictorStem, p.space);
  const LatencyDataset dataset = LatencyDataset::load(fit.datasetPath);
  const nlohmann::json j = parseJsonText(readTextFile(card), card);
  const nlohmann::json metrics = valueOr(j, "metrics", nlohmann::json::object());
  auto readMetrics = [&](const char* key) {
    PredictorMetrics m;
    const nlohmann::json e = valueOr(metrics, key, nlohmann::json::object());
    m.count = valueOr(e, "count", 0);
    m.rmseMs = valueOr(e, "rmse_ms", 0.0);
    m.mape = valueOr(e, "mape", 0.0);
    m.kendallTau = valueOr(e, "kendall_tau", 0.0);
    return m;
  };
  fit.report.train = readMetrics("train");
  fit.report.test = readMetrics("test");
  fit.report.testTypical = readMetrics("test_typical_state");
  fit.report.meanBaseline = readMetrics("mean_baseline");
  fit.report.seconds = valueOr(metrics, "seconds", 0.0);
  fit.features = predictor.featureNames().size();
  fit.ridge = predictor.ridgeUsed();
  fit.usesMachineState = predictor.usesMachineState();
  fit.referenceBaselineMs = predictor.referenceBaselineMs();
  std::set<int> held;
  const nlohmann::json heldOut = valueOr(j, "held_out", nlohmann::json::array());
  if (heldOut.is_array())
    for (const auto& i : heldOut)
      if (i.is_number_integer()) held.insert(i.get<int>());
  const size_t seen = static_cast<size_t>(fit.report.train.count + fit.report.test.count);
  fit.datasetGrew = dataset.samples().size() > seen;
  for (const auto& s : dataset.samples()) {
    // The file only grows: the rows the predictor saw are its first `seen`.
    fit.points.push_back(pointFor(predictor, s, held.count(s.index) > 0));
    fit.points.back().inFit = fit.points.size() <= seen;
  }
  return fit;
}

}  // namespace automoe
