#include "latency/latency_predictor.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include <ATen/ops/linalg_solve.h>
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
#include "util/zip_integrity.h"

namespace automoe {

namespace {

// 4: with a machine state, the inputs are the features, the state and state x each whole-subnet
// feature (3: state x every feature).
// 2: an ensemble, member i in the .pt archive's sub-archive "member<i>" (1: a single MLP).
constexpr int kFormatVersion = 4;
constexpr double kPi = 3.14159265358979323846;

double mean(const std::vector<double>& v) {
  return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double stddev(const std::vector<double>& v, double m) {
  double sq = 0;
  for (double x : v) sq += (x - m) * (x - m);
  const double s = v.empty() ? 0.0 : std::sqrt(sq / static_cast<double>(v.size()));
  return s > 1e-9 ? s : 1.0;  // a constant feature becomes 0 after normalisation
}

// Ridge regression in closed form: (X^T X + lambda I) w = X^T y; x [N, F], y [N] -> w [F]. The
// inputs and the target are centred, so there is no intercept.
at::Tensor ridgeSolve(const at::Tensor& x, const at::Tensor& y, double lambda) {
  const at::Tensor gram = x.t().mm(x) + lambda * at::eye(x.size(1), x.options());  // [F, F]
  return at::linalg_solve(gram, x.t().mv(y));                                      // [F]
}

bool hasReference(const LatencySample& s) {
  return s.measurement.hasReference() && s.measurement.reference.mean > 0;
}

}  // namespace

LatencyPredictor::LatencyPredictor(SearchSpace space, LatencyPredictorOptions options,
                                   int decoderRows)
    : m_space(std::move(space)),
      m_options(options),
      m_decoderRows(decoderRows),
      m_featureNames(latencyFeatureNames(m_space)) {
  for (size_t j = 0; j < m_featureNames.size(); ++j)
    if (describesWholeSubnet(m_featureNames[j])) m_stateInteractions.push_back(j);
}

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

std::vector<double> LatencyPredictor::rowFor(const ArchConfig& arch, double logSlowdown) const {
  std::vector<double> row = inputFor(arch);
  if (usesMachineState()) {
    row.push_back(logSlowdown);
    // Each cost moves with the machine's state in its own way (memory-bound decoder reads more
    // than compute-bound encoder GEMMs): one interaction column per whole-subnet feature lets the
    // linear term scale the subnet's costs by their own slowdowns.
    for (size_t j : m_stateInteractions) row.push_back(row[j] * logSlowdown);
  }
  return row;
}

double LatencyPredictor::logSlowdown(const LatencySample& s) const {
  return usesMachineState() && hasReference(s)
             ? std::log(s.measurement.reference.mean / m_referenceBaseline)
             : 0.0;
}

at::Tensor LatencyPredictor::normalisedInputs(const std::vector<std::vector<double>>& rows) const {
  const int64_t N = static_cast<int64_t>(rows.size()), F = static_cast<int64_t>(m_inputMean.size());
  at::Tensor x = at::empty({N, F}, at::kFloat);  // [N, F]
  auto a = x.accessor<float, 2>();
  for (int64_t i = 0; i < N; ++i)
    for (int64_t j = 0; j < F; ++j)
      a[i][j] = static_cast<float>((rows[i][j] - m_inputMean[j]) / m_inputStd[j]);
  return x;
}

std::vector<double> LatencyPredictor::predictRows(const std::vector<std::vector<double>>& rows) const {
  if (!trained()) throw std::logic_error("latency predictor: not trained");
  if (rows.empty()) return {};
  torch::NoGradGuard noGrad;
  const at::Tensor x = normalisedInputs(rows);  // [N, F]
  at::Tensor sum = at::zeros({x.size(0)}, at::kDouble);
  for (const auto& mlp : m_mlps) sum += mlp->forward(x).to(at::kDouble);  // [N]
  const at::Tensor y = (sum / static_cast<double>(m_mlps.size())).contiguous();  // [N]
  std::vector<double> out(y.data_ptr<double>(), y.data_ptr<double>() + y.size(0));
  for (double& v : out) {
    v = v * m_targetStd + m_targetMean;
    if (m_options.logTarget) v = std::exp(v);
  }
  return out;
}

double LatencyPredictor::predictMs(const ArchConfig& arch) const {
  return predictRows({rowFor(arch, 0.0)})[0];
}

std::vector<double> LatencyPredictor::predictMs(const std::vector<ArchConfig>& archs) const {
  std::vector<std::vector<double>> rows;
  for (const auto& a : archs) rows.push_back(rowFor(a, 0.0));
  return predictRows(rows);
}

double LatencyPredictor::predictMs(const LatencySample& s) const {
  return predictRows({rowFor(s.arch, logSlowdown(s))})[0];
}

LatencyMlpOptions LatencyPredictor::mlpOptions(int64_t inputs, int member) const {
  return LatencyMlpOptions(inputs)
      .hidden_dim(m_options.hiddenDim)
      .hidden_layers(m_options.hiddenLayers)
      .seed(m_options.seed + static_cast<uint64_t>(member))
      .linear_skip(true);
}

double LatencyPredictor::chooseRidge(const at::Tensor& x, const at::Tensor& y) const {
  if (m_options.ridge >= 0) return m_options.ridge;
  constexpr int kFolds = 5;
  const int64_t n = x.size(0);
  if (n < 2 * kFolds) return 1.0;
  const at::Tensor xd = x.to(at::kDouble), yd = y.to(at::kDouble);
  const at::Tensor fold = at::arange(n, at::kLong).remainder(kFolds);  // [N]
  double best = 1.0, bestError = INFINITY;
  for (double lambda : {0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0}) {
    double error = 0;
    for (int f = 0; f < kFolds; ++f) {
      const at::Tensor trainRows = fold.ne(f).nonzero().squeeze(1), testRows = fold.eq(f).nonzero().squeeze(1);
      const at::Tensor xt = xd.index_select(0, trainRows), yt = yd.index_select(0, trainRows);
      const at::Tensor w = ridgeSolve(xt, yt, lambda);
      error += (xd.index_select(0, testRows).mv(w) - yd.index_select(0, testRows)).pow(2).sum().item<double>();
    }
    if (error < bestError) {
      bestError = error;
      best = lambda;
    }
  }
  return best;
}

void LatencyPredictor::trainWeights(const at::Tensor& x, const at::Tensor& y) {
  at::Tensor linear;
  {
    const torch::NoGradGuard noGrad;
    m_ridge = chooseRidge(x, y);
    linear = ridgeSolve(x.to(at::kDouble), y.to(at::kDouble), m_ridge).to(at::kFloat);  // [F]
  }
  m_mlps.clear();
  for (int member = 0; member < m_options.ensemble; ++member) {
    LatencyMlp mlp(mlpOptions(x.size(1), member));
    {
      const torch::NoGradGuard noGrad;
      mlp->skip.copy_(linear);
      mlp->skip.set_requires_grad(false);
    }
    // The MLP learns what the linear term misses, with strong decay: hundreds of rows, ~100 inputs.
    torch::optim::AdamW opt(mlp->layers->parameters(),
                            torch::optim::AdamWOptions(m_options.learningRate).weight_decay(m_options.weightDecay));
    mlp->train();
    for (int step = 0; step < m_options.steps; ++step) {
      // Cosine decay to zero: the last steps settle instead of oscillating around the minimum.
      const double lr = 0.5 * m_options.learningRate * (1 + std::cos(kPi * step / m_options.steps));
      static_cast<torch::optim::AdamWOptions&>(opt.param_groups()[0].options()).lr(lr);
      opt.zero_grad();
      const at::Tensor loss = (mlp->forward(x) - y).pow(2).mean();
      loss.backward();
      opt.step();
    }
    mlp->eval();
    m_mlps.push_back(mlp);
  }
}

PredictorReport LatencyPredictor::fit(const std::vector<LatencySample>& train,
                                      const std::vector<LatencySample>& test) {
  if (train.size() < 2) throw ConfigError("latency predictor: needs at least 2 training samples");
  const auto t0 = std::chrono::steady_clock::now();
  m_referenceBaseline = 0;
  if (std::all_of(train.begin(), train.end(), hasReference)) {
    std::vector<double> refs;
    for (const auto& s : train) refs.push_back(s.measurement.reference.mean);
    std::nth_element(refs.begin(), refs.begin() + refs.size() / 2, refs.end());
    m_referenceBaseline = refs[refs.size() / 2];
  }
  m_trainingInputs.clear();
  std::vector<std::vector<double>> rows;
  std::vector<double> targets, measured;
  for (const auto& s : train) {
    m_trainingInputs.push_back(inputFor(s.arch));
    rows.push_back(rowFor(s.arch, logSlowdown(s)));
    measured.push_back(s.measurement.meanMs());
    targets.push_back(m_options.logTarget ? std::log(measured.back()) : measured.back());
  }
  const size_t F = rows.front().size();
  m_inputMean.assign(F, 0);
  m_inputStd.assign(F, 1);
  for (size_t j = 0; j < F; ++j) {
    std::vector<double> col;
    for (const auto& r : rows) col.push_back(r[j]);
    m_inputMean[j] = mean(col);
    m_inputStd[j] = stddev(col, m_inputMean[j]);
  }
  m_targetMean = mean(targets);
  m_targetStd = stddev(targets, m_targetMean);
  const at::Tensor y = at::tensor(targets, at::kDouble).to(at::kFloat);  // [N]
  trainWeights(normalisedInputs(rows), (y - m_targetMean) / m_targetStd);

  PredictorReport report;
  report.train = evaluatePredictions(measured, predictRows(rows));
  if (!test.empty()) {
    std::vector<double> truth, withState, typical;
    for (const auto& s : test) {
      truth.push_back(s.measurement.meanMs());
      withState.push_back(predictMs(s));
      typical.push_back(predictMs(s.arch));
    }
    report.test = evaluatePredictions(truth, withState);
    report.testTypical = evaluatePredictions(truth, typical);
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
  for (size_t i = 0; i < m_mlps.size(); ++i) {
    torch::serialize::OutputArchive member;
    m_mlps[i]->save(member);
    archive.write("member" + std::to_string(i), member);
  }
  std::ostringstream weights;
  archive.save_to(weights);
  nlohmann::json j = meta;
  j["kind"] = "latency_predictor";
  j["format_version"] = kFormatVersion;
  j["feature_names"] = m_featureNames;
  j["decoder_rows"] = m_decoderRows;
  j["ensemble_members"] = m_mlps.size();
  j["input_mean"] = m_inputMean;  // features; with machine_state_input also log slowdown, then slowdown x each whole-subnet feature
  j["input_std"] = m_inputStd;
  j["target_mean"] = m_targetMean;
  j["target_std"] = m_targetStd;
  j["machine_state_input"] = usesMachineState();
  j["reference_baseline_ms"] = m_referenceBaseline;
  j["ridge_used"] = m_ridge;
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
  const int64_t version = r.getInt("format_version");
  if (version >= 1 && version < kFormatVersion)
    r.fail("format_version", "a predictor from an older version; retrain it ('automoe latency train')");
  if (version != kFormatVersion) r.fail("format_version", "unsupported version");
  const int64_t rows = r.getInt("decoder_rows");
  if (rows < 1) r.fail("decoder_rows", "must be >= 1");
  LatencyPredictor p(space, LatencyPredictorOptions::fromJson(r.child("options")),
                     static_cast<int>(rows));
  try {
    if (j.at("feature_names").get<std::vector<std::string>>() != p.m_featureNames)
      r.fail("feature_names", "the predictor was trained for another search space; retrain it");
    p.m_inputMean = j.at("input_mean").get<std::vector<double>>();
    p.m_inputStd = j.at("input_std").get<std::vector<double>>();
    p.m_targetMean = j.at("target_mean").get<double>();
    p.m_targetStd = j.at("target_std").get<double>();
    p.m_referenceBaseline = j.at("reference_baseline_ms").get<double>();
    p.m_ridge = j.at("ridge_used").get<double>();
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(path + ": malformed predictor file: " + jsonErrorText(e));
  }
  // The layout rowFor() builds: the features, then with a machine state the slowdown and one
  // interaction column per whole-subnet feature.
  const size_t features = p.m_featureNames.size();
  const size_t F = p.usesMachineState() ? features + 1 + p.m_stateInteractions.size() : features;
  if (p.m_inputMean.size() != F || p.m_inputStd.size() != F)
    r.fail("input_mean", "expected " + std::to_string(F) + " values");
  p.m_report = j.value("metrics", nlohmann::json::object());
  const int64_t members = r.getInt("ensemble_members");
  if (members < 1 || members > 64) r.fail("ensemble_members", "must be in [1, 64]");
  if (const std::string why = zipIntegrityProblem(stem + ".pt"); !why.empty())
    throw ConfigError(stem + ".pt: cannot load the predictor weights: " + why);
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(stem + ".pt");
    for (int64_t i = 0; i < members; ++i) {
      LatencyMlp mlp(p.mlpOptions(static_cast<int64_t>(F), static_cast<int>(i)));
      std::vector<std::vector<int64_t>> shapes;  // what the options build, before the load replaces them
      for (const auto& t : mlp->parameters()) shapes.push_back(t.sizes().vec());
      torch::serialize::InputArchive member;
      archive.read("member" + std::to_string(i), member);
      mlp->load(member);
      const auto loaded = mlp->named_parameters();
      for (size_t k = 0; k < loaded.size(); ++k)
        if (loaded[k].value().sizes().vec() != shapes[k])
          throw ConfigError(stem + ".pt: the weights do not fit the options in " + path + " (" + loaded[k].key() +
                            " has shape " + c10::str(loaded[k].value().sizes()) + ", the options give " +
                            c10::str(c10::IntArrayRef(shapes[k])) + "); retrain the predictor");
      mlp->eval();
      p.m_mlps.push_back(mlp);
    }
  } catch (const c10::Error& e) {
    throw ConfigError(stem + ".pt: cannot load the predictor weights: " + e.what_without_backtrace());
  }
  return p;
}

}  // namespace automoe
