#include "latency/latency_predictor.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include <torch/optim/adamw.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "arch/arch_config.h"
#include "latency/latency_features.h"
#include "latency/latency_sample.h"
#include "latency/provenance.h"
#include "util/atomic_file.h"
#include "util/config_error.h"
#include "util/json_reader.h"
#include "util/rng.h"

namespace automoe {

namespace {

constexpr int kFormatVersion = 1;
constexpr double kPi = 3.14159265358979323846;
constexpr double kSkipWeightDecay = 0.01;  // the linear term: light decay (held-out results barely move)

double mean(const std::vector<double>& v) {
  return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double stddev(const std::vector<double>& v, double m) {
  double sq = 0;
  for (double x : v) sq += (x - m) * (x - m);
  const double s = v.empty() ? 0.0 : std::sqrt(sq / static_cast<double>(v.size()));
  return s > 1e-9 ? s : 1.0;  // a constant feature becomes 0 after normalisation
}

}  // namespace

nlohmann::json PredictorReport::toJson() const {
  return {{"train", train.toJson()},
          {"test", test.toJson()},
          {"mean_baseline", meanBaseline.toJson()},
          {"seconds", seconds}};
}

LatencyPredictor::LatencyPredictor(SearchSpace space, LatencyPredictorOptions options,
                                   int decoderRows)
    : m_space(std::move(space)),
      m_options(options),
      m_decoderRows(decoderRows),
      m_featureNames(latencyFeatureNames(m_space)) {}

void LatencyPredictor::split(const std::vector<LatencySample>& samples, double holdout,
                             uint64_t seed, std::vector<LatencySample>& train,
                             std::vector<LatencySample>& test) {
  std::vector<size_t> idx(samples.size());
  std::iota(idx.begin(), idx.end(), 0);
  Rng rng(mixSeed(seed, 0x5EED));
  for (size_t i = idx.size(); i > 1; --i) std::swap(idx[i - 1], idx[rng.uniformIndex(i)]);
  const size_t n = samples.size();
  size_t nTest = static_cast<size_t>(std::lround(holdout * static_cast<double>(n)));
  if (holdout > 0 && n >= 2) nTest = std::clamp<size_t>(nTest, 1, n - 1);
  train.clear();
  test.clear();
  for (size_t i = 0; i < n; ++i) (i < nTest ? test : train).push_back(samples[idx[i]]);
}

std::vector<double> LatencyPredictor::inputFor(const ArchConfig& arch) const {
  const std::vector<NamedValue> f = latencyFeatures(arch, m_space, m_decoderRows);
  bool same = f.size() == m_featureNames.size();
  for (size_t i = 0; same && i < f.size(); ++i) same = f[i].name == m_featureNames[i];
  if (!same)
    throw std::invalid_argument("latency predictor: the subnet's features do not match the ones "
                                "the predictor was trained with (subnet outside the search space?)");
  return featureValues(f);
}

at::Tensor LatencyPredictor::normalisedInputs(const std::vector<std::vector<double>>& rows) const {
  const int64_t N = static_cast<int64_t>(rows.size()), F = static_cast<int64_t>(m_featureNames.size());
  at::Tensor x = at::empty({N, F}, at::kFloat);  // [N, F]
  auto a = x.accessor<float, 2>();
  for (int64_t i = 0; i < N; ++i)
    for (int64_t j = 0; j < F; ++j)
      a[i][j] = static_cast<float>((rows[i][j] - m_featureMean[j]) / m_featureStd[j]);
  return x;
}

std::vector<double> LatencyPredictor::predictRows(const std::vector<std::vector<double>>& rows) const {
  if (!trained()) throw std::logic_error("latency predictor: not trained");
  if (rows.empty()) return {};
  torch::NoGradGuard noGrad;
  const at::Tensor y = m_mlp->forward(normalisedInputs(rows)).to(at::kDouble).contiguous();  // [N]
  std::vector<double> out(y.data_ptr<double>(), y.data_ptr<double>() + y.size(0));
  for (double& v : out) {
    v = v * m_targetStd + m_targetMean;
    if (m_options.logTarget) v = std::exp(v);
  }
  return out;
}

double LatencyPredictor::targetMs(const LatencySample& s) const {
  const LatencyMeasurement& m = s.measurement;
  if (m_referenceBaseline > 0 && m.hasReference() && m.reference.mean > 0)
    return m.meanMs() * m_referenceBaseline / m.reference.mean;
  return m.meanMs();
}

double LatencyPredictor::predictMs(const ArchConfig& arch) const { return predictRows({inputFor(arch)})[0]; }

std::vector<double> LatencyPredictor::predictMs(const std::vector<ArchConfig>& archs) const {
  std::vector<std::vector<double>> rows;
  for (const auto& a : archs) rows.push_back(inputFor(a));
  return predictRows(rows);
}

void LatencyPredictor::trainWeights(const at::Tensor& x, const at::Tensor& y) {
  m_mlp = LatencyMlp(LatencyMlpOptions(x.size(1))
                         .hidden_dim(m_options.hiddenDim)
                         .hidden_layers(m_options.hiddenLayers)
                         .seed(m_options.seed)
                         .linear_skip(m_options.linearSkip));
  // The MLP is decayed strongly (hundreds of rows, ~100 features); the linear term lightly.
  std::vector<at::Tensor> mlpParams;
  for (const auto& p : m_mlp->layers->parameters()) mlpParams.push_back(p);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(mlpParams, std::make_unique<torch::optim::AdamWOptions>(
                                     torch::optim::AdamWOptions(m_options.learningRate)
                                         .weight_decay(m_options.weightDecay)));
  if (m_mlp->skip.defined())
    groups.emplace_back(std::vector<at::Tensor>{m_mlp->skip},
                        std::make_unique<torch::optim::AdamWOptions>(
                            torch::optim::AdamWOptions(m_options.learningRate)
                                .weight_decay(kSkipWeightDecay)));
  torch::optim::AdamW opt(std::move(groups));
  m_mlp->train();
  for (int step = 0; step < m_options.steps; ++step) {
    // Cosine decay to zero: the last steps settle instead of oscillating around the minimum.
    const double lr = 0.5 * m_options.learningRate * (1 + std::cos(kPi * step / m_options.steps));
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
    opt.zero_grad();
    const at::Tensor loss = (m_mlp->forward(x) - y).pow(2).mean();
    loss.backward();
    opt.step();
  }
  m_mlp->eval();
}

PredictorReport LatencyPredictor::fit(const std::vector<LatencySample>& train,
                                      const std::vector<LatencySample>& test) {
  if (train.size() < 2) throw ConfigError("latency predictor: needs at least 2 training samples");
  const auto t0 = std::chrono::steady_clock::now();
  const size_t F = m_featureNames.size();
  m_trainingInputs.clear();
  m_referenceBaseline = 0;
  const bool referenced = std::all_of(train.begin(), train.end(), [](const LatencySample& s) {
    return s.measurement.hasReference() && s.measurement.reference.mean > 0;
  });
  if (referenced) {
    std::vector<double> refs;
    for (const auto& s : train) refs.push_back(s.measurement.reference.mean);
    std::nth_element(refs.begin(), refs.begin() + refs.size() / 2, refs.end());
    m_referenceBaseline = refs[refs.size() / 2];
  }
  std::vector<double> targets, measured;
  for (const auto& s : train) {
    m_trainingInputs.push_back(inputFor(s.arch));
    measured.push_back(targetMs(s));
    targets.push_back(m_options.logTarget ? std::log(measured.back()) : measured.back());
  }
  m_featureMean.assign(F, 0);
  m_featureStd.assign(F, 1);
  for (size_t j = 0; j < F; ++j) {
    std::vector<double> col;
    for (const auto& r : m_trainingInputs) col.push_back(r[j]);
    m_featureMean[j] = mean(col);
    m_featureStd[j] = stddev(col, m_featureMean[j]);
  }
  m_targetMean = mean(targets);
  m_targetStd = stddev(targets, m_targetMean);

  at::Tensor y = at::tensor(targets, at::kDouble).to(at::kFloat);  // [N]
  trainWeights(normalisedInputs(m_trainingInputs), (y - m_targetMean) / m_targetStd);

  PredictorReport report;
  report.train = evaluatePredictions(measured, predictRows(m_trainingInputs));
  if (!test.empty()) {
    std::vector<double> truth;
    std::vector<std::vector<double>> rows;
    for (const auto& s : test) {
      truth.push_back(targetMs(s));
      rows.push_back(inputFor(s.arch));
    }
    report.test = evaluatePredictions(truth, predictRows(rows));
    report.meanBaseline = evaluatePredictions(truth, std::vector<double>(truth.size(), mean(measured)));
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  m_report = report.toJson();
  m_report["train_count"] = train.size();
  m_report["test_count"] = test.size();
  return report;
}

void LatencyPredictor::save(const std::string& stem, const nlohmann::json& meta) const {
  if (!trained()) throw std::logic_error("latency predictor: save() before fit()");
  torch::serialize::OutputArchive archive;
  m_mlp->save(archive);
  std::ostringstream weights;
  archive.save_to(weights);
  nlohmann::json j = meta;
  j["kind"] = "latency_predictor";
  j["format_version"] = kFormatVersion;
  j["feature_names"] = m_featureNames;
  j["decoder_rows"] = m_decoderRows;
  j["feature_mean"] = m_featureMean;
  j["feature_std"] = m_featureStd;
  j["target_mean"] = m_targetMean;
  j["target_std"] = m_targetStd;
  j["reference_baseline_ms"] = m_referenceBaseline;
  j["options"] = m_options.toJson();
  j["metrics"] = m_report;
  j["search_space"] = m_space.toJson();
  j["provenance"] = provenance();
  writeFileAtomically(stem + ".pt", weights.str());
  writeFileAtomically(stem + ".json", j.dump(2) + "\n");
}

LatencyPredictor LatencyPredictor::load(const std::string& stem, const SearchSpace& space) {
  const std::string path = stem + ".json";
  const nlohmann::json j = parseJsonText(readTextFile(path), path);
  const JsonReader r(j, path);
  if (r.getString("kind") != "latency_predictor") r.fail("kind", "not a latency predictor file");
  if (r.getInt("format_version") != kFormatVersion) r.fail("format_version", "unsupported version");
  const int64_t rows = r.getInt("decoder_rows");
  if (rows < 1) r.fail("decoder_rows", "must be >= 1");
  LatencyPredictor p(space, LatencyPredictorOptions::fromJson(r.child("options")),
                     static_cast<int>(rows));
  try {
    if (j.at("feature_names").get<std::vector<std::string>>() != p.m_featureNames)
      r.fail("feature_names", "the predictor was trained for another search space; retrain it");
    p.m_featureMean = j.at("feature_mean").get<std::vector<double>>();
    p.m_featureStd = j.at("feature_std").get<std::vector<double>>();
    p.m_targetMean = j.at("target_mean").get<double>();
    p.m_targetStd = j.at("target_std").get<double>();
    p.m_referenceBaseline = j.at("reference_baseline_ms").get<double>();
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(path + ": malformed predictor file: " + e.what());
  }
  const size_t F = p.m_featureNames.size();
  if (p.m_featureMean.size() != F || p.m_featureStd.size() != F)
    r.fail("feature_mean", "expected " + std::to_string(F) + " values");
  p.m_report = j.value("metrics", nlohmann::json::object());
  p.m_mlp = LatencyMlp(LatencyMlpOptions(static_cast<int64_t>(F))
                           .hidden_dim(p.m_options.hiddenDim)
                           .hidden_layers(p.m_options.hiddenLayers)
                           .seed(p.m_options.seed)
                           .linear_skip(p.m_options.linearSkip));
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(stem + ".pt");
    p.m_mlp->load(archive);
  } catch (const c10::Error& e) {
    throw ConfigError(stem + ".pt: cannot load the predictor weights: " + e.what_without_backtrace());
  }
  p.m_mlp->eval();
  return p;
}

}  // namespace automoe
