#pragma once
// Predicts a subnet's latency under one hardware profile from latencyFeatures() with an MLP
// trained on a measured latency dataset. The per-feature normalisation (mean, std over the
// training rows) and the target normalisation are part of the model and are saved beside the
// weights (<stem>.pt holds the weights, <stem>.json the feature names, normalisation, options,
// metrics and provenance). Training and prediction build their inputs with the same function
// (inputFor), so they cannot disagree.
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "arch/search_space.h"
#include "latency/latency_mlp.h"
#include "latency/latency_predictor_options.h"
#include "latency/predictor_metrics.h"

namespace automoe {

struct ArchConfig;
struct LatencySample;

struct PredictorReport {
  PredictorMetrics train;
  PredictorMetrics test;          // held-out rows (count 0 when none)
  PredictorMetrics meanBaseline;  // predicting the training mean for every held-out row
  double seconds = 0;             // training wall time

  nlohmann::json toJson() const;
};

class LatencyPredictor {
 public:
  // `decoderRows`: latencyDecoderRows() of the profile the dataset was measured under.
  LatencyPredictor(SearchSpace space, LatencyPredictorOptions options, int decoderRows);

  // Splits `samples` into training and held-out rows with the options' seed and holdout fraction
  // (at least one row on each side when there are >= 2 rows and holdout > 0).
  static void split(const std::vector<LatencySample>& samples, double holdout, uint64_t seed,
                    std::vector<LatencySample>& train, std::vector<LatencySample>& test);

  // Fits normalisation and weights on `train` (>= 2 rows); reports on `train` and `test`. When
  // every training row has a drift reference, targets (and the reported measurements) are
  // corrected to the median machine state: latency x median(reference) / the row's reference;
  // predictions are then latencies in that state.
  PredictorReport fit(const std::vector<LatencySample>& train,
                      const std::vector<LatencySample>& test = {});

  double predictMs(const ArchConfig& arch) const;
  std::vector<double> predictMs(const std::vector<ArchConfig>& archs) const;

  // The raw (unnormalised) input of `arch`: latencyFeatures' values, checked against the names
  // this predictor was trained with.
  std::vector<double> inputFor(const ArchConfig& arch) const;
  // The raw inputs fit() trained on, one row per training sample (for consistency checks).
  const std::vector<std::vector<double>>& trainingInputs() const { return m_trainingInputs; }

  // Writes <stem>.pt and <stem>.json atomically; `meta` is merged into the JSON (profile, dataset
  // path, seed...). Throws std::logic_error before fit().
  void save(const std::string& stem, const nlohmann::json& meta) const;
  // ConfigError when the files are missing, malformed, or made for another search space.
  static LatencyPredictor load(const std::string& stem, const SearchSpace& space);

  bool trained() const { return !m_mlp.is_empty(); }
  // Median reference latency of the training rows (0 when not drift-corrected).
  double referenceBaselineMs() const { return m_referenceBaseline; }
  // The latency fit() learns for `s`: drift-corrected when this predictor and the row have a
  // reference.
  double targetMs(const LatencySample& s) const;
  const std::vector<std::string>& featureNames() const { return m_featureNames; }
  const LatencyPredictorOptions& options() const { return m_options; }
  int decoderRows() const { return m_decoderRows; }

 private:
  at::Tensor normalisedInputs(const std::vector<std::vector<double>>& rows) const;  // [N, F]
  std::vector<double> predictRows(const std::vector<std::vector<double>>& rows) const;
  // A fresh MLP fitted to normalised inputs x [N, F] and targets y [N] (AdamW, cosine decay).
  void trainWeights(const at::Tensor& x, const at::Tensor& y);

  SearchSpace m_space;
  LatencyPredictorOptions m_options;
  int m_decoderRows;
  std::vector<std::string> m_featureNames;
  std::vector<double> m_featureMean, m_featureStd;
  double m_targetMean = 0, m_targetStd = 1;
  double m_referenceBaseline = 0;
  LatencyMlp m_mlp{nullptr};
  std::vector<std::vector<double>> m_trainingInputs;
  nlohmann::json m_report;
};

}  // namespace automoe
