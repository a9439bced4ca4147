#pragma once
// The one definition of the latency predictor's input: named numeric features of a subnet. The
// dataset files store them, training and prediction compute them, all through latencyFeatures(),
// so training and prediction cannot disagree (AutoMoE's predict_lat builds a different vector
// than its trainer: spec §13 bug 3).
//
// Features, in this order:
//  * per stack: width and depth;
//  * per layer slot up to the space's maximum depth (zero for slots past the subnet's depth):
//    heads, encoder-decoder heads and attended encoder layers (decoder), expert count, whether the
//    layer is routed (more than one expert), mean / max / sum of the experts' FFN widths, effective
//    top-k; and each of these summed over the stack;
//  * what the hardware has to do, as incremental decoding at small batch is bound by reading
//    weights: multiply-accumulates per token (encoder) and per decoded row (decoder, without the
//    vocabulary projection); weights the encoder reads (all of them); weights one decoder step
//    reads in expectation (attention, plus the experts `decoderRows` rows reach under uniform
//    top-k routing: n (1 - (1 - k/n)^rows) of n experts); all decoder weights; and those expected
//    expert counts summed over the decoder.
#include <string>
#include <vector>

namespace automoe {

struct ArchConfig;
struct HardwareProfile;
struct SearchSpace;

struct NamedValue {
  std::string name;
  double value = 0;
};

// `decoderRows`: rows one decoder step routes independently (see latencyDecoderRows). Same names
// in the same order for every subnet of `space`.
std::vector<NamedValue> latencyFeatures(const ArchConfig& arch, const SearchSpace& space,
                                        int decoderRows);
std::vector<std::string> latencyFeatureNames(const SearchSpace& space);
std::vector<double> featureValues(const std::vector<NamedValue>& features);

// True for a feature of the whole subnet (widths, depths, the per-stack sums and totals), false
// for one layer slot's ("enc.l3.heads").
bool describesWholeSubnet(const std::string& featureName);

// batch x beam for a real beam search; batch for the "automoe" protocol, whose beam rows are
// identical and route alike.
int latencyDecoderRows(const HardwareProfile& profile);

}  // namespace automoe
