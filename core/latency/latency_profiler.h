#pragma once
// Measures a subnet's inference latency the way a user runs it: the standalone model of exactly
// the subnet's shape (what extractSubnet produces), in eval mode under c10::InferenceMode, with
// the profile's intra-op threads (restored afterwards). One run = the encoder pass over a batch of
// srcLen-token sources (AutoMoE's recipe: EOS then token 7), then a real beam search of `beam`
// hypotheses per sentence forced to run exactly tgtLen incremental decoder steps (EOS disabled,
// KV caches reordered every step). Warm-up runs are discarded; measured runs are summarised with
// the top and bottom 10% trimmed.
//
// Latency does not depend on trained weights, except through routing: which experts the beam's
// rows are sent to decides how many expert weight matrices a step reads (on wmt14 subnets, one
// random model vs another moves the latency by 3-6%, five times the timing noise). measure(arch)
// therefore builds the model with seeded random weights (setModelSeed) and re-draws the router
// weights before every run (seeded by the run), so its figure is the mean over routings: what an
// architecture-only predictor can learn. Pass a trained model to measure(model, arch) to measure
// its own routing (its weights are not touched). With the profile's drift reference, measure(arch)
// also times the space's smallest subnet between its runs (LatencyMeasurement::referenceMs).
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "arch/arch_config.h"
#include "arch/search_space.h"
#include "latency/hardware_profile.h"
#include "latency/latency_measurement.h"
#include "model/super_transformer.h"
#include "project/model_options.h"

namespace automoe {

class StopToken;

class LatencyProfiler {
 public:
  using Clock = std::function<double()>;  // monotonic time in milliseconds

  // `space` and `model` define the supernet the subnets come from (vocabulary, positions, qkv).
  // Throws ConfigError if the profile's device is not available in this LibTorch.
  LatencyProfiler(HardwareProfile profile, SearchSpace space, ModelOptions model);

  void setClock(Clock clock) { m_clock = std::move(clock); }  // tests inject a fake clock
  void setModelSeed(uint64_t seed) { m_modelSeed = seed; }
  void setStopToken(const StopToken* stop) { m_stop = stop; }  // polled between runs

  // Builds the seeded random standalone model of `arch` and measures it. std::nullopt when the
  // stop token was set before the last run. Throws std::invalid_argument if `arch` does not fit
  // the space's supernet.
  std::optional<LatencyMeasurement> measure(const ArchConfig& arch) const;
  // Measures an existing model (standalone or supernet) running `arch`.
  std::optional<LatencyMeasurement> measure(const SuperTransformerImpl& model,
                                            const ArchConfig& arch) const;

  // Re-draws every router's weights and biases uniformly in +-1/sqrt(width), the routers'
  // initialisation, from a generator seeded with `seed`.
  static void redrawRouters(SuperTransformerImpl& model, uint64_t seed);

  // The model measure(arch) runs: the subnet's exact shape, seeded weights, eval mode, on the
  // profile's device. The global CPU generator's state is restored afterwards.
  SuperTransformer buildModel(const ArchConfig& arch) const;

  const HardwareProfile& profile() const { return m_profile; }
  const ModelShape& superShape() const { return m_superShape; }

 private:
  struct Subject {
    const SuperTransformerImpl* model;
    const ArchConfig* arch;
    std::function<void(int)> beforeRun;  // prepares run r outside the timing; may be empty
  };
  // Measures the subjects run by run in alternating order; std::nullopt when stopped.
  std::optional<std::vector<LatencyMeasurement>> runInterleaved(
      const std::vector<Subject>& subjects) const;
  static std::vector<double> totals(const LatencyMeasurement& m);

  HardwareProfile m_profile;
  ModelShape m_superShape;
  ArchConfig m_referenceArch;                     // the space's smallest subnet
  mutable SuperTransformer m_referenceModel{nullptr};  // built on first use
  ModelOptions m_model;
  Clock m_clock;
  uint64_t m_modelSeed = 1;
  const StopToken* m_stop = nullptr;
};

}  // namespace automoe
