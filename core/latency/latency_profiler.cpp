#include "latency/latency_profiler.h"

#include <time.h>

#include <chrono>

#include <ATen/core/Generator.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/InferenceMode.h>
#include <torch/cuda.h>

#include "arch/arch_config.h"
#include "decode/beam_search.h"
#include "decode/model_stepper.h"
#include "latency/scoped_threads.h"
#include "model/sinusoidal_positions.h"
#include "util/config_error.h"
#include "util/stop_token.h"

namespace automoe {

namespace {

double steadyMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double threadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

// AutoMoE's dummy source: EOS, then token 7 (or the last id of a smaller vocabulary).
at::Tensor dummySource(int64_t batch, int64_t len, int64_t vocab, const at::Device& device) {
  const int64_t token = vocab > 7 ? 7 : vocab - 1;  // vocab >= 5 (ModelOptions)
  at::Tensor src = at::full({batch, len}, token, at::TensorOptions().dtype(at::kLong));  // [B, S]
  src.select(1, 0).fill_(kEosIndex);
  return src.to(device);
}

}  // namespace

LatencyProfiler::LatencyProfiler(HardwareProfile profile, SearchSpace space, ModelOptions model)
    : m_profile(std::move(profile)),
      m_superShape(ModelShape::forSupernet(space, model)),
      m_model(std::move(model)),
      m_clock(m_profile.timer == "thread_cpu" ? threadCpuMs : steadyMs) {
  if (m_profile.device == "cuda" && !torch::cuda::is_available())
    throw ConfigError("hardware profile \"" + m_profile.name +
                      "\": device \"cuda\" is not available (this LibTorch has no CUDA or no GPU "
                      "is visible)");
  if (m_profile.srcLen > m_model.maxPositions || m_profile.tgtLen > m_model.maxPositions)
    throw ConfigError("hardware profile \"" + m_profile.name + "\": src_len/tgt_len exceed the " +
                      "model's max_positions " + std::to_string(m_model.maxPositions));
}

SuperTransformer LatencyProfiler::buildModel(const ArchConfig& arch) const {
  const auto problems = m_superShape.fitProblems(arch);
  if (!problems.empty()) {
    std::string msg = "the subnet does not fit the project's supernet:";
    for (const auto& p : problems) msg += "\n  - " + p;
    throw std::invalid_argument(msg);
  }
  // Not locked: weight initialisation takes the generator's mutex itself.
  at::Generator gen = at::detail::getDefaultCPUGenerator();
  const at::Tensor saved = gen.get_state();
  gen.set_current_seed(m_modelSeed);
  SuperTransformer model(
      SuperTransformerOptions(ModelShape::forSubnet(arch, m_superShape), m_model));
  gen.set_state(saved);
  model->eval();
  if (m_profile.device != "cpu") model->to(at::Device(m_profile.device));
  return model;
}

std::optional<LatencyMeasurement> LatencyProfiler::measure(const ArchConfig& arch) const {
  const SuperTransformer model = buildModel(arch);
  return measure(*model, arch);
}

std::optional<LatencyMeasurement> LatencyProfiler::measure(const SuperTransformerImpl& model,
                                                           const ArchConfig& arch) const {
  model.checkFits(arch);
  const ScopedThreads threads(m_profile.threads);
  const c10::InferenceMode inference;
  const at::Device device(m_profile.device);
  const bool cuda = device.is_cuda();
  auto now = [&] {
    if (cuda) torch::cuda::synchronize();
    return m_clock();
  };
  const at::Tensor src = dummySource(m_profile.batchSize, m_profile.srcLen,
                                     model.shape().vocabSize, device);
  BeamSearchOptions bo;
  bo.beam = m_profile.beam;
  bo.forcedLength = m_profile.tgtLen;
  bo.maxLen = m_profile.tgtLen;
  const BeamSearch search(bo);

  const bool automoe = m_profile.protocol == "automoe";
  const int64_t rows = int64_t{m_profile.batchSize} * m_profile.beam;
  const at::Tensor expand =  // row r of the beam-expanded batch reads sentence r / beam
      at::arange(rows, at::TensorOptions().dtype(at::kLong)).div(m_profile.beam, "floor").to(device);
  const int64_t fixedToken = model.shape().vocabSize > 7 ? 7 : model.shape().vocabSize - 1;

  std::vector<double> enc, dec;
  for (int run = 0; run < m_profile.warmup + m_profile.runs; ++run) {
    if (m_stop && m_stop->stopRequested()) return std::nullopt;
    const double t0 = now();
    EncoderOutput encoded = model.encode(src, arch);
    const double t1 = now();
    if (automoe) {
      // measure_latency: step k feeds prev[k] of prev = [7] * (T - 1) + [EOS] to every row.
      const EncoderOutput rowsOut = encoded.reordered(expand);
      DecoderState state;
      for (int k = 0; k < m_profile.tgtLen; ++k) {
        const int64_t token = k + 1 < m_profile.tgtLen ? fixedToken : kEosIndex;
        model.decodeStep(at::full({rows, 1}, token, expand.options()), rowsOut, arch, state);
      }
    } else {
      ModelStepper stepper(model, arch, std::move(encoded));
      search.run(stepper, m_profile.batchSize);
    }
    const double t2 = now();
    if (run >= m_profile.warmup) {
      enc.push_back(t1 - t0);
      dec.push_back(t2 - t1);
    }
  }
  return LatencyMeasurement::fromRuns(std::move(enc), std::move(dec));
}

}  // namespace automoe
