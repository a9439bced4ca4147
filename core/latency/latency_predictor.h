#pragma once
// Predicts a subnet's latency under one hardware profile from latencyFeatures() with a model in
// LibTorch: a closed-form ridge regression on the standardised features (latency is close to
// additive in what each layer reads) plus an MLP fitted on top, both on log latency. The
// per-feature normalisation and the target normalisation are part of the model and are saved
// beside the weights (<stem>.pt holds the weights, <stem>.json the feature names, normalisation,
// options, metrics and provenance). Training and prediction build their inputs with the same
// function (inputFor), so they cannot disagree.
//
// Machine state: when every training row carries a drift reference (HardwareProfile::
// driftReference), the model gets log(reference / median reference), the machine's slowdown
// while the row was measured, and that slowdown times each whole-subnet feature (widths, depths,
// per-stack sums and totals: describesWholeSubnet), and learns how each cost moves with it
// (memory-bound and compute-bound parts move differently, so dividing by the reference is worse).
// Per-layer features get no interaction column: with ~100 of them on a few hundred rows the
// linear term overfits the state (held-out tau 0.946-0.949 against 0.953-0.954 on the
// bench_latency_predictor dataset). Held-out rows are scored with their own state; predictMs()
// answers for the median state (slowdown 0, so the interaction columns are 0 too).
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "arch/search_space.h"
#include "latency/latency_mlp.h"
#include "latency/latency_predictor_options.h"
#include "latency/predictor_metrics.h"
#include "latency/predictor_report.h"

namespace automoe {

struct ArchConfig;
struct LatencySample;

class LatencyPredictor {
 public:
  // `decoderRows`: latencyDecoderRows() of the profile the dataset was measured under.
  LatencyPredictor(SearchSpace space, LatencyPredictorOptions options, int decoderRows);

  // Splits `samples` into training and held-out rows with the options' seed and holdout fraction
  // (at least one row on each side when there are >= 2 rows and holdout > 0).
  static void split(const std::vector<LatencySample>& samples, double holdout, uint64_t seed,
                    std::vector<LatencySample>& train, std::vector<LatencySample>& test);

  // Fits normalisation and weights on `train` (>= 2 rows); reports on `train` and `test`.
  PredictorReport fit(const std::vector<LatencySample>& train,
                      const std::vector<LatencySample>& test = {});

  double predictMs(const ArchConfig& arch) const;
  std::vector<double> predictMs(const std::vector<ArchConfig>& archs) const;
  // The latency of `s`'s subnet under the machine state `s` was measured in.
  double predictMs(const LatencySample& s) const;

  // The raw (unnormalised) features of `arch`: latencyFeatures' values, checked against the names
  // this predictor was trained with.
  std::vector<double> inputFor(const ArchConfig& arch) const;
  // The raw features fit() trained on, one row per training sample (for consistency checks).
  const std::vector<std::vector<double>>& trainingInputs() const { return m_trainingInputs; }

  // Writes <stem>.pt and <stem>.json atomically; `meta` is merged into the JSON (profile, dataset
  // path, seed...). Throws std::logic_error before fit().
  void save(const std::string& stem, const nlohmann::json& meta) const;
  // ConfigError when the files are missing, malformed, or made for another search space.
  static LatencyPredictor load(const std::string& stem, const SearchSpace& space);

  bool trained() const { return !m_mlps.empty(); }
  bool usesMachineState() const { return m_referenceBaseline > 0; }
  // Median reference latency of the training rows (0 without drift references).
  double referenceBaselineMs() const { return m_referenceBaseline; }
  const std::vector<std::string>& featureNames() const { return m_featureNames; }
  const LatencyPredictorOptions& options() const { return m_options; }
  int decoderRows() const { return m_decoderRows; }
  double ridgeUsed() const { return m_ridge; }

 private:
  // The model's input row: features, plus the machine state when the model uses it.
  std::vector<double> rowFor(const ArchConfig& arch, double logSlowdown) const;
  double logSlowdown(const LatencySample& s) const;
  at::Tensor normalisedInputs(const std::vector<std::vector<double>>& rows) const;  // [N, F]
  std::vector<double> predictRows(const std::vector<std::vector<double>>& rows) const;
  // Ridge solution into the linear term, then the MLP on top: inputs x [N, F], targets y [N].
  void trainWeights(const at::Tensor& x, const at::Tensor& y);
  // The ridge penalty: the option, or the 5-fold cross-validated choice when it is negative.
  double chooseRidge(const at::Tensor& x, const at::Tensor& y) const;
  // Member `member` of the ensemble (its initialisation seed: options' seed + member).
  LatencyMlpOptions mlpOptions(int64_t inputs, int member) const;

  SearchSpace m_space;
  LatencyPredictorOptions m_options;
  int m_decoderRows;
  std::vector<std::string> m_featureNames;
  std::vector<size_t> m_stateInteractions;  // features that get a "slowdown x feature" column
  std::vector<double> m_inputMean, m_inputStd;  // per input column (features [+ state])
  double m_targetMean = 0, m_targetStd = 1;
  double m_referenceBaseline = 0;
  double m_ridge = 0;  // the penalty used
  std::vector<LatencyMlp> m_mlps;  // the ensemble; predictions are their mean
  std::vector<std::vector<double>> m_trainingInputs;
  nlohmann::json m_report;
};

}  // namespace automoe
