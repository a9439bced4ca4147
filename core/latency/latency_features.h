#pragma once
// The one definition of the latency predictor's input: named numeric features of a subnet. The
// dataset files store them, training reads them, prediction computes them, all through
// latencyFeatures(), so training and prediction cannot disagree (AutoMoE's predict_lat builds a
// different vector than its trainer: spec §13 bug 3).
//
// Features: per stack the width and depth; per layer slot up to the space's maximum depth (zero
// for slots past the subnet's depth): heads, encoder-decoder heads and attended encoder layers
// (decoder), expert count, mean / max / sum of the experts' FFN widths, effective top-k; and a few
// analytic aggregates: multiply-accumulates per token (encoder) and per decoded token (decoder,
// without the vocabulary projection), and the number of expert weights per stack.
#include <string>
#include <vector>

namespace automoe {

struct ArchConfig;
struct SearchSpace;

struct NamedValue {
  std::string name;
  double value = 0;
};

// Same names in the same order for every subnet of `space` (the count depends only on the
// space's maximum depths).
std::vector<NamedValue> latencyFeatures(const ArchConfig& arch, const SearchSpace& space);
std::vector<std::string> latencyFeatureNames(const SearchSpace& space);
std::vector<double> featureValues(const std::vector<NamedValue>& features);

}  // namespace automoe
